/**
 * SQS → Lambda event source mappings on the embedded cloud, through the
 * Lambda and SQS APIs: batches up to BatchSize within the batching window,
 * a successful batch deleted, ReportBatchItemFailures keeping only the
 * reported messages, which come back after the visibility timeout and reach
 * the dead-letter queue after maxReceiveCount; filters deleting what they
 * drop; AWS's checks at create.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateEventSourceMappingCommand,
  GetEventSourceMappingCommand,
} from '@aws-sdk/client-lambda';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  eventually,
  mappingEnabled,
  startLambdaCloud,
  type LambdaTestCloud,
  createFixtureFunction,
} from './lambda-helpers';

interface Seen {
  ids: string[];
  bodies: string[];
  receiveCounts: number[];
  source: string;
}

let cloud: LambdaTestCloud;
let dir: string;
beforeAll(async () => {
  cloud = await startLambdaCloud();
  dir = mkdtempSync(join(tmpdir(), 'lambda-sqs-'));
});
afterAll(async () => {
  await cloud?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const seen = (file: string): Seen[] =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Seen)
    : [];

async function queue(name: string, attributes: Record<string, string> = {}) {
  const { QueueUrl } = await cloud.clients.sqs.send(
    new CreateQueueCommand({ QueueName: name, Attributes: attributes }),
  );
  const a = await cloud.clients.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  return { url: QueueUrl!, arn: a.Attributes!.QueueArn! };
}

/** Function timeout and visibility timeout of the redrive test: room for a cold start on a loaded machine. */
const REDRIVE_TIMEOUT_S = 5;

async function consumer(
  name: string,
  env: Record<string, string> = {},
  timeout = REDRIVE_TIMEOUT_S,
) {
  const file = join(dir, `${name}.jsonl`);
  await createFixtureFunction(cloud, name, 'sqs-consumer', { RECORD_FILE: file, ...env }, timeout);
  return file;
}

async function send(url: string, bodies: string[]) {
  for (let i = 0; i < bodies.length; i += 10)
    await cloud.clients.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: bodies.slice(i, i + 10).map((b, j) => ({ Id: String(j), MessageBody: b })),
      }),
    );
}

async function depth(url: string): Promise<number> {
  const a = await cloud.clients.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(a.Attributes!.ApproximateNumberOfMessages) +
    Number(a.Attributes!.ApproximateNumberOfMessagesNotVisible)
  );
}

async function mapping(fn: string, arn: string, extra: Record<string, unknown> = {}) {
  const m = await cloud.clients.lambda.send(
    new CreateEventSourceMappingCommand({ FunctionName: fn, EventSourceArn: arn, ...extra }),
  );
  await mappingEnabled(cloud, m.UUID!);
  return m;
}

describe('SQS event source mappings', () => {
  it('delivers batches of at most BatchSize and deletes what succeeded', async () => {
    const q = await queue('orders');
    const file = await consumer('orders-fn');
    const m = await mapping('orders-fn', q.arn, {
      BatchSize: 20,
      MaximumBatchingWindowInSeconds: 1,
    });
    expect(m).toMatchObject({ BatchSize: 20, MaximumBatchingWindowInSeconds: 1 });
    expect(m.StartingPosition).toBeUndefined();
    const bodies = Array.from({ length: 45 }, (_, i) => `order-${i}`);
    await send(q.url, bodies);
    await eventually('all 45 delivered', () => seen(file).flatMap((s) => s.bodies).length >= 45);
    const runs = seen(file);
    expect(runs.flatMap((s) => s.bodies).sort()).toEqual([...bodies].sort());
    expect(Math.max(...runs.map((s) => s.bodies.length))).toBeLessThanOrEqual(20);
    expect(runs.every((s) => s.source === 'aws:sqs')).toBe(true);
    await eventually('queue empty', async () => (await depth(q.url)) === 0);
  });

  it('keeps only reported failures, which reach the dead-letter queue after maxReceiveCount', async () => {
    const dlq = await queue('payments-dlq');
    const q = await queue('payments', {
      VisibilityTimeout: String(REDRIVE_TIMEOUT_S),
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 2 }),
    });
    const file = await consumer('payments-fn', { PARTIAL: '1' });
    const m = await mapping('payments-fn', q.arn, {
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    expect(m.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    await send(q.url, ['ok-1', 'FAIL-1', 'ok-2', 'ok-3', 'FAIL-2']);
    const inDlq = await eventually(
      'the two failing messages in the dead-letter queue',
      async () => {
        const r = await cloud.clients.sqs.send(
          new ReceiveMessageCommand({ QueueUrl: dlq.url, MaxNumberOfMessages: 10 }),
        );
        return (r.Messages?.length ?? 0) === 2 ? r.Messages : undefined;
      },
      // two receives, each failure back after the visibility timeout, then the move
      REDRIVE_TIMEOUT_S * 1000 * 6,
    );
    expect(inDlq.map((x) => x.Body).sort()).toEqual(['FAIL-1', 'FAIL-2']);
    const delivered = seen(file).flatMap((s) => s.bodies);
    // Each success once; each failure once per receive (maxReceiveCount 2).
    for (const ok of ['ok-1', 'ok-2', 'ok-3'])
      expect(delivered.filter((b) => b === ok)).toHaveLength(1);
    for (const bad of ['FAIL-1', 'FAIL-2'])
      expect(delivered.filter((b) => b === bad)).toHaveLength(2);
    expect(await depth(q.url)).toBe(0);
  });

  it('deletes messages that match no filter pattern without invoking', async () => {
    const q = await queue('events');
    const file = await consumer('events-fn');
    const criteria = { Filters: [{ Pattern: JSON.stringify({ body: { type: ['order'] } }) }] };
    const m = await mapping('events-fn', q.arn, { FilterCriteria: criteria });
    expect(m.FilterCriteria).toEqual(criteria);
    await send(q.url, [
      '{"type":"order","n":1}',
      '{"type":"ping"}',
      'plain text',
      '{"type":"order","n":2}',
    ]);
    await eventually('both orders', () => seen(file).flatMap((s) => s.bodies).length >= 2);
    await eventually('queue empty', async () => (await depth(q.url)) === 0);
    expect(seen(file).flatMap((s) => s.bodies)).toEqual([
      '{"type":"order","n":1}',
      '{"type":"order","n":2}',
    ]);
  });

  it("refuses what AWS refuses: visibility timeout below the function's timeout, a big batch without a window", async () => {
    const q = await queue('short-visibility', { VisibilityTimeout: '5' });
    await consumer('slow-fn', {}, 30);
    await expect(
      cloud.clients.lambda.send(
        new CreateEventSourceMappingCommand({ FunctionName: 'slow-fn', EventSourceArn: q.arn }),
      ),
    ).rejects.toMatchObject({
      name: 'InvalidParameterValueException',
      message: 'Queue visibility timeout: 5 seconds is less than Function timeout: 30 seconds',
    });
    const q2 = await queue('big-batch');
    await consumer('big-fn');
    await expect(
      cloud.clients.lambda.send(
        new CreateEventSourceMappingCommand({
          FunctionName: 'big-fn',
          EventSourceArn: q2.arn,
          BatchSize: 100,
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterValueException' });
    const ok = await mapping('big-fn', q2.arn, {
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 2,
    });
    const got = await cloud.clients.lambda.send(
      new GetEventSourceMappingCommand({ UUID: ok.UUID! }),
    );
    expect(got).toMatchObject({
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 2,
      State: 'Enabled',
    });
  });
});
