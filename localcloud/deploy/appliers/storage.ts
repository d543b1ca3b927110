/**
 * AWS::S3::Bucket, AWS::S3::BucketPolicy and AWS::SSM::Parameter — what the
 * cdk bootstrap template creates besides IAM/ECR/KMS records: the asset
 * bucket (its encryption, versioning, lifecycle and public access block are
 * accepted and kept as configuration, not emulated; its tags are set), its policy, and the
 * bootstrap version parameter.
 */
import {
  CreateBucketCommand,
  HeadBucketCommand,
  PutBucketPolicyCommand,
  PutBucketTaggingCommand,
  PutBucketVersioningCommand,
  PutPublicAccessBlockCommand,
} from '@aws-sdk/client-s3';
import { GetParameterCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import { changedProperties } from '../diff';
import type { Json } from '../template';
import { bool, errorName, type Applier } from './types';

type Obj = Record<string, Json>;

const ACCEPTED_BUCKET = [
  'BucketEncryption',
  'LifecycleConfiguration',
  'OwnershipControls',
  'LoggingConfiguration',
];

export const applyBucket: Applier = async ({ name, props, previous, clients, predicted }) => {
  const s3 = clients.s3;
  let exists = true;
  try {
    await s3.send(new HeadBucketCommand({ Bucket: name }));
  } catch (err) {
    if (!['NotFound', 'NoSuchBucket'].includes(errorName(err))) throw err;
    exists = false;
  }
  const values = { ref: name, attrs: predicted.attrs };
  if (exists && previous && changedProperties(previous.properties, props).length === 0)
    return { action: 'unchanged', physicalId: name, values };
  if (!exists) await s3.send(new CreateBucketCommand({ Bucket: name }));
  const versioning = (props.VersioningConfiguration as Obj | undefined)?.Status;
  if (typeof versioning === 'string')
    await s3.send(
      new PutBucketVersioningCommand({
        Bucket: name,
        VersioningConfiguration: { Status: versioning as 'Enabled' | 'Suspended' },
      }),
    );
  const block = props.PublicAccessBlockConfiguration as Obj | undefined;
  if (block)
    await s3.send(
      new PutPublicAccessBlockCommand({
        Bucket: name,
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: bool(block.BlockPublicAcls),
          BlockPublicPolicy: bool(block.BlockPublicPolicy),
          IgnorePublicAcls: bool(block.IgnorePublicAcls),
          RestrictPublicBuckets: bool(block.RestrictPublicBuckets),
        },
      }),
    );
  // Kept as the bucket's tag set: CDK's autoDeleteObjects handler empties only a bucket tagged for it.
  const tags = props.Tags as Obj[] | undefined;
  if (tags)
    await s3.send(
      new PutBucketTaggingCommand({
        Bucket: name,
        Tagging: { TagSet: tags.map((t) => ({ Key: String(t.Key), Value: String(t.Value) })) },
      }),
    );
  const accepted = ACCEPTED_BUCKET.filter((p) => props[p] !== undefined);
  return {
    action: exists ? 'updated' : 'created',
    physicalId: name,
    values,
    detail: accepted.length > 0 ? `${accepted.join(', ')} accepted, not emulated` : undefined,
  };
};

export const applyBucketPolicy: Applier = async ({ name, props, previous, clients, predicted }) => {
  const bucket = String(props.Bucket);
  if (previous && changedProperties(previous.properties, props).length === 0)
    return {
      action: 'unchanged',
      physicalId: bucket,
      values: { ref: bucket, attrs: predicted.attrs },
    };
  const doc = props.PolicyDocument;
  await clients.s3.send(
    new PutBucketPolicyCommand({
      Bucket: bucket,
      Policy: typeof doc === 'string' ? doc : JSON.stringify(doc),
    }),
  );
  return {
    action: previous ? 'updated' : 'created',
    physicalId: bucket,
    values: { ref: bucket, attrs: predicted.attrs },
    detail: `policy of ${bucket} kept, not enforced (${name})`,
  };
};

export const applyParameter: Applier = async ({ name, props, previous, clients }) => {
  const ssm = clients.ssm;
  let current: string | undefined;
  try {
    current = (await ssm.send(new GetParameterCommand({ Name: name }))).Parameter?.Value;
  } catch (err) {
    if (errorName(err) !== 'ParameterNotFound') throw err;
  }
  const values = {
    ref: name,
    attrs: { Type: String(props.Type ?? 'String'), Value: String(props.Value) },
  };
  if (current === String(props.Value) && previous)
    return { action: 'unchanged', physicalId: name, values };
  await ssm.send(
    new PutParameterCommand({
      Name: name,
      Value: String(props.Value),
      Type: (props.Type as 'String' | 'StringList' | undefined) ?? 'String',
      Description: props.Description as string | undefined,
      Overwrite: true,
    }),
  );
  return { action: current === undefined ? 'created' : 'updated', physicalId: name, values };
};
