/**
 * AWS::Logs::LogGroup (CreateLogGroup, retention) and Custom::LogRetention
 * (the CDK's log-retention custom resource: instead of running its Lambda,
 * the same effect directly — the group made if missing, its retention set).
 */
import {
  CreateLogGroupCommand,
  DeleteRetentionPolicyCommand,
  PutRetentionPolicyCommand,
  type CloudWatchLogsClient,
} from '@aws-sdk/client-cloudwatch-logs';
import { changedProperties } from '../diff';
import { errorName, num, type Applier } from './types';

async function ensureGroup(logs: CloudWatchLogsClient, name: string): Promise<boolean> {
  try {
    await logs.send(new CreateLogGroupCommand({ logGroupName: name }));
    return true;
  } catch (err) {
    if (errorName(err) !== 'ResourceAlreadyExistsException') throw err;
    return false;
  }
}

async function setRetention(
  logs: CloudWatchLogsClient,
  name: string,
  days: number | undefined,
): Promise<void> {
  if (days === undefined) await logs.send(new DeleteRetentionPolicyCommand({ logGroupName: name }));
  else
    await logs.send(new PutRetentionPolicyCommand({ logGroupName: name, retentionInDays: days }));
}

export const applyLogGroup: Applier = async ({ name, props, previous, clients, predicted }) => {
  const created = await ensureGroup(clients.logs, name);
  const values = { ref: name, attrs: predicted.attrs };
  if (!created && previous && changedProperties(previous.properties, props).length === 0)
    return { action: 'unchanged', physicalId: name, values };
  await setRetention(clients.logs, name, num(props.RetentionInDays));
  const days = num(props.RetentionInDays);
  return {
    action: created ? 'created' : 'updated',
    physicalId: name,
    values,
    detail: days === undefined ? 'kept forever' : `retention ${days} days`,
  };
};

export const applyLogRetention: Applier = async ({ props, previous, clients }) => {
  const group = String(props.LogGroupName);
  const created = await ensureGroup(clients.logs, group);
  const values = { ref: group, attrs: {} };
  if (!created && previous && changedProperties(previous.properties, props).length === 0)
    return { action: 'unchanged', physicalId: group, values };
  const days = num(props.RetentionInDays);
  await setRetention(clients.logs, group, days);
  return {
    action: previous ? 'updated' : 'created',
    physicalId: group,
    values,
    detail: `retention of ${group}: ${days === undefined ? 'forever' : `${days} days`}`,
  };
};
