/**
 * How each emulated resource type is deleted (stack delete, a resource
 * dropped from the template, a rollback): one AWS call or two against the
 * edge, and "already gone" counts as deleted, as CloudFormation treats it.
 */
import { DeleteAlarmsCommand, DeleteDashboardsCommand } from '@aws-sdk/client-cloudwatch';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { DeleteStreamCommand, DeregisterStreamConsumerCommand } from '@aws-sdk/client-kinesis';
import {
  DeleteEventSourceMappingCommand,
  DeleteFunctionCommand,
  DeleteFunctionEventInvokeConfigCommand,
} from '@aws-sdk/client-lambda';
import { DeleteLogGroupCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DeleteBucketCommand } from '@aws-sdk/client-s3';
import { DeleteQueueCommand } from '@aws-sdk/client-sqs';
import { DeleteParameterCommand } from '@aws-sdk/client-ssm';
import type { Json } from '../template';
import { isCustomResourceType } from '../resource-types';
import { deleteCustomResource, type StackRef } from './custom-resource';
import { errorName, type DeployClients } from './types';

type Deleter = (physicalId: string, props: Record<string, Json>, c: DeployClients) => Promise<void>;

const GONE = new Set([
  'ResourceNotFoundException',
  'ResourceNotFound',
  'NoSuchBucket',
  'NotFound',
  'ParameterNotFound',
  'AWS.SimpleQueueService.NonExistentQueue',
  'QueueDoesNotExist',
]);

const deleteTable: Deleter = async (id, _p, c) => {
  await c.dynamodb.send(new DeleteTableCommand({ TableName: id }));
};

export const DELETERS: Record<string, Deleter> = {
  'AWS::Kinesis::Stream': async (id, _p, c) => {
    await c.kinesis.send(
      new DeleteStreamCommand({ StreamName: id, EnforceConsumerDeletion: true }),
    );
  },
  'AWS::Kinesis::StreamConsumer': async (id, _p, c) => {
    await c.kinesis.send(new DeregisterStreamConsumerCommand({ ConsumerARN: id }));
  },
  'AWS::DynamoDB::Table': deleteTable,
  'AWS::DynamoDB::GlobalTable': deleteTable,
  'AWS::SQS::Queue': async (id, _p, c) => {
    await c.sqs.send(new DeleteQueueCommand({ QueueUrl: id }));
  },
  'AWS::Lambda::Function': async (id, _p, c) => {
    await c.lambda.send(new DeleteFunctionCommand({ FunctionName: id }));
  },
  'AWS::Lambda::EventSourceMapping': async (id, _p, c) => {
    await c.lambda.send(new DeleteEventSourceMappingCommand({ UUID: id }));
  },
  'AWS::Lambda::EventInvokeConfig': async (_id, p, c) => {
    await c.lambda.send(
      new DeleteFunctionEventInvokeConfigCommand({
        FunctionName: String(p.FunctionName),
        Qualifier: p.Qualifier === undefined ? undefined : String(p.Qualifier),
      }),
    );
  },
  'AWS::Events::Rule': async (id, p, c) => {
    const bus = p.EventBusName === undefined ? {} : { EventBusName: p.EventBusName };
    const listed = await c.events.call<{ Targets?: Array<{ Id: string }> }>('ListTargetsByRule', {
      Rule: id,
      ...bus,
    });
    const ids = (listed.Targets ?? []).map((t) => t.Id);
    if (ids.length > 0) await c.events.call('RemoveTargets', { Rule: id, Ids: ids, ...bus });
    await c.events.call('DeleteRule', { Name: id, ...bus });
  },
  'AWS::CloudWatch::Dashboard': async (id, _p, c) => {
    await c.cloudwatch.send(new DeleteDashboardsCommand({ DashboardNames: [id] }));
  },
  'AWS::CloudWatch::Alarm': async (id, _p, c) => {
    await c.cloudwatch.send(new DeleteAlarmsCommand({ AlarmNames: [id] }));
  },
  'AWS::S3::Bucket': async (id, _p, c) => {
    await c.s3.send(new DeleteBucketCommand({ Bucket: id }));
  },
  'AWS::Logs::LogGroup': async (id, _p, c) => {
    await c.logs.send(new DeleteLogGroupCommand({ logGroupName: id }));
  },
  'AWS::SSM::Parameter': async (id, _p, c) => {
    await c.ssm.send(new DeleteParameterCommand({ Name: id }));
  },
};

/** Delete one resource; true if the type has a deleter (others are records only). */
export async function deleteResource(
  type: string,
  physicalId: string,
  props: Record<string, Json>,
  clients: DeployClients,
  owner?: { logicalId: string; stack: StackRef },
): Promise<boolean> {
  if (isCustomResourceType(type) && owner) {
    await deleteCustomResource(clients, {
      ...owner,
      resourceType: type,
      physicalId,
      properties: props,
    });
    return true;
  }
  const deleter = DELETERS[type];
  if (!deleter) return false;
  try {
    await deleter(physicalId, props, clients);
  } catch (err) {
    if (!GONE.has(errorName(err))) throw err;
  }
  return true;
}
