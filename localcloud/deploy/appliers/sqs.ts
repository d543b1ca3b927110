/**
 * AWS::SQS::Queue: CreateQueue with the template's behavioural attributes;
 * a later deploy keeps the queue and its messages and sets the attributes
 * that changed. Encryption (SqsManagedSseEnabled, KMS) is accepted, not
 * emulated.
 */
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  SetQueueAttributesCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Json } from '../template';
import { errorName, type Applier } from './types';

/** CloudFormation property -> queue attribute (same names in both). */
const ATTRIBUTES = [
  'DelaySeconds',
  'MaximumMessageSize',
  'MessageRetentionPeriod',
  'ReceiveMessageWaitTimeSeconds',
  'VisibilityTimeout',
  'FifoQueue',
  'ContentBasedDeduplication',
  'RedrivePolicy',
] as const;
/** FifoQueue is fixed at creation. */
const CREATE_ONLY = new Set(['FifoQueue']);

function attributes(props: Record<string, Json>, keys: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of keys) {
    const v = props[k];
    if (v === undefined || v === null) continue;
    out[k] = typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
  return out;
}

async function queueUrl(client: SQSClient, name: string): Promise<string | undefined> {
  try {
    return (await client.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl;
  } catch (err) {
    const n = errorName(err);
    if (
      n === 'QueueDoesNotExist' ||
      n === 'AWS.SimpleQueueService.NonExistentQueue' ||
      n === 'ResourceNotFoundException'
    ) {
      return undefined;
    }
    throw err;
  }
}

async function queueArn(client: SQSClient, url: string, fallback: Json | undefined): Promise<Json> {
  try {
    const r = await client.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
    );
    return r.Attributes?.QueueArn ?? fallback ?? null;
  } catch {
    return fallback ?? null;
  }
}

export const applyQueue: Applier = async ({ name, props, previous, predicted, clients }) => {
  const client = clients.sqs;
  const accepted =
    props.SqsManagedSseEnabled !== undefined || props.KmsMasterKeyId !== undefined
      ? 'encryption accepted, not emulated'
      : undefined;
  let url = await queueUrl(client, name);
  let action: 'created' | 'updated' | 'unchanged' = 'unchanged';
  let detail = accepted;
  if (!url) {
    url = (
      await client.send(
        new CreateQueueCommand({ QueueName: name, Attributes: attributes(props, ATTRIBUTES) }),
      )
    ).QueueUrl!;
    action = 'created';
  } else {
    const updatable = ATTRIBUTES.filter((a) => !CREATE_ONLY.has(a));
    const want = attributes(props, updatable);
    const had = previous ? attributes(previous.properties, updatable) : {};
    const changed = Object.keys(want).filter((k) => want[k] !== had[k]);
    if (changed.length > 0) {
      await client.send(
        new SetQueueAttributesCommand({
          QueueUrl: url,
          Attributes: Object.fromEntries(changed.map((k) => [k, want[k]!])),
        }),
      );
      action = 'updated';
      detail = [previous ? `set ${changed.join(', ')}` : 'attributes re-applied', accepted]
        .filter(Boolean)
        .join('; ');
    }
  }
  const arn = await queueArn(client, url, predicted.attrs.Arn);
  return {
    action,
    physicalId: url,
    values: { ref: url, attrs: { Arn: arn, QueueName: name, QueueUrl: url } },
    detail,
  };
};
