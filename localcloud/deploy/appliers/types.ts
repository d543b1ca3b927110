/**
 * The contract between the deploy executor and the per-service appliers: an
 * applier makes one resource exist with the given resolved properties and
 * says what it did and what the resource's Ref / Fn::GetAtt values are.
 */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { EventsApi } from '../events-api';
import type { ResourceValues } from '../plan';
import type { Json } from '../template';

export interface DeployClients {
  kinesis: KinesisClient;
  dynamodb: DynamoDBClient;
  sqs: SQSClient;
  lambda: LambdaClient;
  cloudwatch: CloudWatchClient;
  events: EventsApi;
  s3: S3Client;
  ssm: SSMClient;
  logs: CloudWatchLogsClient;
}

export type ApplyAction = 'created' | 'updated' | 'unchanged';

export interface ApplyInput {
  logicalId: string;
  type: string;
  /** Physical name (for a mapping: none until it exists). */
  name: string;
  props: Record<string, Json>;
  /** Properties applied by the last deploy of this stack to this endpoint; absent on a first deploy. */
  previous?: {
    physicalId: string;
    properties: Record<string, Json>;
    /** its Fn::GetAtt values then */
    attrs?: Record<string, Json>;
  };
  /** The stack the resource belongs to (custom resources tell their function). */
  stack: { name: string; id: string };
  /** Predicted Ref/GetAtt values, for what the live resource does not report. */
  predicted: ResourceValues;
  clients: DeployClients;
}

export interface ApplyResult {
  action: ApplyAction;
  physicalId: string;
  values: ResourceValues;
  /** Short note for the table: what changed, what was accepted without effect. */
  detail?: string;
}

export type Applier = (input: ApplyInput) => Promise<ApplyResult>;

export class DeployError extends Error {}

/** Error name of an SDK (or EventsApi) error. */
export function errorName(err: unknown): string {
  return (err as { name?: string }).name ?? '';
}

/** A number from a template value that may be a numeric string ("60"). */
export function num(v: Json | undefined): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isFinite(n)) throw new DeployError(`expected a number, got ${JSON.stringify(v)}`);
  return n;
}

/** A boolean from a template value that may be "true"/"false". */
export function bool(v: Json | undefined): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  return v === true || v === 'true';
}

/** Poll `check` every `everyMs` until it returns true, at most `timeoutMs`. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 30_000,
  everyMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline)
      throw new DeployError(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Drop undefined fields, so SDK inputs carry only what the template set. */
export function defined<T extends Record<string, unknown>>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
