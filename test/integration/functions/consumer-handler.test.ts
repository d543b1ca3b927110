/**
 * The consumer's Lambda entry point, in-process against dynalite: a Kinesis
 * event (base64 data, eventID "<shard>:<sequence>") goes through `handler`,
 * which configures itself from the environment as on Lambda, and publishes
 * EMF metrics on stdout. A redelivered batch is a no-op in the table and in
 * the LateRecords metric (the records were counted by the attempt that wrote
 * them), and a batch of malformed records succeeds.
 */
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { dynamoClient } from '../../../functions/aws/clients';
import { resourceNames } from '../../../functions/config';
import { ControlStore } from '../../../functions/store/control-store';
import { createTables, startDynalite, testClientEnv, type Dynalite } from '../../support/dynalite';
import { eventJson, ShardFeed, toLambdaEvent } from '../../support/kinesis-events';

const T0 = Date.UTC(2026, 10, 23, 3, 0, 0);
const PREFIX = `hc${process.pid % 10000}`;
let db: Dynalite;
const saved = { ...process.env };

beforeAll(async () => {
  db = await startDynalite();
  await createTables(db.endpoint, PREFIX);
  testClientEnv();
  process.env.AWS_ENDPOINT_URL = db.endpoint;
  process.env.STREAMSCALE_PREFIX = PREFIX;
  delete process.env.STREAMSCALE_CONFIG;
});
afterAll(async () => {
  for (const k of ['AWS_ENDPOINT_URL', 'STREAMSCALE_PREFIX', 'STREAMSCALE_CONFIG']) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
  await db.stop();
});

/** Runs `fn` and returns the EMF documents it printed, as metric name -> summed value. */
async function emf(fn: () => Promise<unknown>): Promise<Record<string, number>> {
  const lines: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  });
  try {
    await fn();
  } finally {
    spy.mockRestore();
  }
  const sums: Record<string, number> = {};
  for (const line of lines.join('').split('\n')) {
    if (!line.includes('"_aws"')) continue;
    const doc = JSON.parse(line) as {
      _aws: { CloudWatchMetrics: Array<{ Metrics: Array<{ Name: string }> }> };
    } & Record<string, unknown>;
    for (const m of doc._aws.CloudWatchMetrics.flatMap((d) => d.Metrics)) {
      const key = typeof doc.Reason === 'string' ? `${m.Name}/${doc.Reason}` : m.Name;
      sums[key] = (sums[key] ?? 0) + (doc[m.Name] as number);
    }
  }
  return sums;
}

describe('consumer handler (dynalite, in-process)', () => {
  it('writes partials once, counts late records once across a redelivery, and keeps rejects', async () => {
    const { handler } = await import('../../../functions/handlers/consumer');
    const client = dynamoClient({ endpoint: db.endpoint, region: 'us-east-1' });
    const names = resourceNames(PREFIX);
    // windows up to T0 + 20 s are closed already: these records are late
    await new ControlStore(client, names.controlTable).advanceCloseCursor(T0 + 20_000, T0);
    const feed = new ShardFeed('shardId-000000000007');
    const payloads = [
      ...Array.from({ length: 8 }, (_, i) => eventJson({ t: T0 + i * 2_000 })), // 0-14 s: late
      ...Array.from({ length: 4 }, (_, i) => eventJson({ t: Date.now() - 30_000 + i })), // recent: on time
      '{broken',
      JSON.stringify({ event_id: 'x' }),
    ];
    const event = toLambdaEvent(feed.records(payloads, Date.now()));

    const first = await emf(() => handler(event));
    expect(first.RecordsProcessed).toBe(14);
    expect(first.RecordsRejected).toBe(2);
    expect(first['RecordsRejected/invalid_json']).toBe(1);
    expect(first['RecordsRejected/missing_field']).toBe(1);
    expect(first.LateRecords).toBe(8);
    expect(first.DuplicatePartials).toBe(0);
    const written = first.PartialsWritten ?? 0;
    expect(written).toBeGreaterThanOrEqual(2);

    const again = await emf(() => handler(event));
    expect(again.PartialsWritten).toBe(0);
    expect(again.DuplicatePartials).toBe(written);
    expect(again.LateRecords).toBe(0);

    const late = await client.send(
      new QueryCommand({
        TableName: names.windowsTable,
        IndexName: 'byKind',
        KeyConditionExpression: 'gsiPk = :late',
        ExpressionAttributeValues: { ':late': { S: 'LATE' } },
      }),
    );
    const lateRecords = (late.Items ?? []).reduce((n, it) => n + Number(it.records?.N ?? 0), 0);
    expect(lateRecords).toBe(8);
    client.destroy();
  });
});
