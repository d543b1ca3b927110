/**
 * Lambda-backed custom resources (`Custom::<Name>`,
 * `AWS::CloudFormation::CustomResource`), by CloudFormation's own protocol:
 * the function the ServiceToken names is invoked asynchronously with the
 * request (Create; Update with the old properties; Delete) and a ResponseURL
 * shaped as AWS's, a presigned S3 PUT under
 * `cloudformation-custom-resource-response-<region>`. A function's runtime
 * sends `*.amazonaws.com` to the edge (lambda/runtime/aws-endpoint-redirect.mjs),
 * so the response lands in the local S3, where the deploy reads it. SUCCESS
 * gives the physical id (Ref) and `Data` (Fn::GetAtt); FAILED fails the
 * resource with the function's Reason, and the stack rolls back. A ServiceToken
 * that is not a Lambda function (an SNS topic) is recorded, nothing runs.
 * CDK's frameworks (AwsCustomResource, Provider, autoDeleteObjects) speak this.
 */
import { randomUUID } from 'node:crypto';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { CreateBucketCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import { CUSTOM_RESOURCES } from '../../config';
import { changedProperties } from '../diff';
import type { Json } from '../template';
import { DeployError, errorName, waitFor, type Applier, type DeployClients } from './types';

const LAMBDA_ARN = /^arn:[^:]+:lambda:[^:]+:\d+:function:[^:]+(:[^:]+)?$/;

export interface StackRef {
  name: string;
  id: string;
}

type RequestType = 'Create' | 'Update' | 'Delete';

interface CustomResourceResponse {
  Status: 'SUCCESS' | 'FAILED';
  Reason?: string;
  PhysicalResourceId?: string;
  Data?: Record<string, Json>;
}

/** CloudFormation hands a function its properties with numbers and booleans as strings. */
function asCloudFormationSends(v: Json): Json {
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return v.map(asCloudFormationSends);
  if (v && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, asCloudFormationSends(x)]));
  return v;
}

/** Where the response goes: AWS's bucket name and a presigned-URL shape (signatures are not checked here). */
function responseSlot(region: string, stack: StackRef, logicalId: string, requestId: string) {
  const bucket = `cloudformation-custom-resource-response-${region.replace(/-/g, '')}`;
  const key = `${encodeURIComponent(stack.id)}|${logicalId}|${requestId}`;
  const day = new Date().toISOString().replace(/[-:]/g, '').slice(0, 8);
  const query = new URLSearchParams({
    'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
    'X-Amz-Credential': `test/${day}/${region}/s3/aws4_request`,
    'X-Amz-Date': `${day}T000000Z`,
    'X-Amz-Expires': '7200',
    'X-Amz-SignedHeaders': 'host',
    'X-Amz-Signature': '0'.repeat(64),
  });
  const url = `https://${bucket}.s3.amazonaws.com/${encodeURIComponent(key)}?${query}`;
  return { bucket, key, url };
}

/** Sends one request to the function and waits for its response; throws with its Reason on FAILED. */
export async function callCustomResource(
  clients: DeployClients,
  request: {
    requestType: RequestType;
    stack: StackRef;
    logicalId: string;
    resourceType: string;
    properties: Record<string, Json>;
    oldProperties?: Record<string, Json>;
    physicalId?: string;
  },
): Promise<CustomResourceResponse> {
  const token = String(request.properties.ServiceToken);
  const region = await clients.s3.config.region();
  const requestId = randomUUID();
  const slot = responseSlot(region, request.stack, request.logicalId, requestId);
  try {
    await clients.s3.send(new CreateBucketCommand({ Bucket: slot.bucket }));
  } catch (err) {
    if (!/BucketAlreadyOwnedByYou|BucketAlreadyExists/.test(errorName(err))) throw err;
  }
  const event = {
    RequestType: request.requestType,
    ServiceToken: token,
    ResponseURL: slot.url,
    StackId: request.stack.id,
    RequestId: requestId,
    LogicalResourceId: request.logicalId,
    ResourceType: request.resourceType,
    ResourceProperties: asCloudFormationSends(request.properties),
    ...(request.oldProperties
      ? { OldResourceProperties: asCloudFormationSends(request.oldProperties) }
      : {}),
    ...(request.physicalId ? { PhysicalResourceId: request.physicalId } : {}),
  };
  await clients.lambda.send(
    new InvokeCommand({
      FunctionName: token,
      InvocationType: 'Event',
      Payload: Buffer.from(JSON.stringify(event)),
    }),
  );
  const fn = token.split(':')[6];
  let body: string | undefined;
  await waitFor(
    `a response from ${fn} to the ${request.requestType} request (see its log: aws logs tail /aws/lambda/${fn})`,
    async () => (body = await readResponse(clients, slot.bucket, slot.key)) !== undefined,
    CUSTOM_RESOURCES.responseWaitMs,
    CUSTOM_RESOURCES.pollMs,
  );
  return parseResponse(body!, token);
}

async function readResponse(
  clients: DeployClients,
  bucket: string,
  key: string,
): Promise<string | undefined> {
  try {
    const o = await clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return await o.Body!.transformToString();
  } catch (err) {
    if (errorName(err) === 'NoSuchKey') return undefined;
    throw err;
  }
}

function parseResponse(body: string, token: string): CustomResourceResponse {
  let r: CustomResourceResponse;
  try {
    r = JSON.parse(body) as CustomResourceResponse;
  } catch {
    throw new DeployError(`the response of ${token} is not JSON: ${body.slice(0, 200)}`);
  }
  if (r.Status === 'FAILED')
    throw new DeployError(
      `Received response status [FAILED] from custom resource. Message returned: ${r.Reason ?? '(none)'}`,
    );
  if (r.Status !== 'SUCCESS')
    throw new DeployError(
      `the response of ${token} has Status ${JSON.stringify(r.Status)}; SUCCESS or FAILED expected`,
    );
  return r;
}

export const applyCustomResource: Applier = async ({
  logicalId,
  type,
  name,
  props,
  previous,
  stack,
  clients,
}) => {
  const token = props.ServiceToken;
  if (typeof token !== 'string' || !LAMBDA_ARN.test(token)) {
    return {
      action: previous ? 'unchanged' : 'created',
      physicalId: previous?.physicalId ?? name,
      values: { ref: previous?.physicalId ?? name, attrs: {} },
      detail: `ServiceToken ${JSON.stringify(token)} is not a Lambda function: recorded, nothing runs`,
    };
  }
  if (previous && changedProperties(previous.properties, props).length === 0) {
    return {
      action: 'unchanged',
      physicalId: previous.physicalId,
      values: { ref: previous.physicalId, attrs: previous.attrs ?? {} },
    };
  }
  const r = await callCustomResource(clients, {
    requestType: previous ? 'Update' : 'Create',
    stack,
    logicalId,
    resourceType: type,
    properties: props,
    oldProperties: previous?.properties,
    physicalId: previous?.physicalId,
  });
  const physicalId = r.PhysicalResourceId ?? previous?.physicalId ?? name;
  return {
    action: previous ? 'updated' : 'created',
    physicalId,
    values: { ref: physicalId, attrs: r.Data ?? {} },
    detail: `${previous ? 'Update' : 'Create'} answered by ${token.split(':')[6]}`,
  };
};

/** Delete: the function is asked to delete; a function already gone means nothing is left to ask. */
export async function deleteCustomResource(
  clients: DeployClients,
  request: {
    stack: StackRef;
    logicalId: string;
    resourceType: string;
    physicalId: string;
    properties: Record<string, Json>;
  },
): Promise<void> {
  const token = request.properties.ServiceToken;
  if (typeof token !== 'string' || !LAMBDA_ARN.test(token)) return;
  try {
    await callCustomResource(clients, { requestType: 'Delete', ...request });
  } catch (err) {
    if (errorName(err) === 'ResourceNotFoundException') return;
    throw err;
  }
}
