/**
 * An UpdateShardCount the cloud was stopped in the middle of (--data-dir).
 * The stop is made exact: a first cloud creates the stream and stores
 * records; then, as a cloud killed inside a split leaves it, kinesalite
 * itself (on the same store, its split timer an hour long) has the stream
 * UPDATING with the split not applied and more records stored meanwhile,
 * and the edge's journal holds the UpdateShardCount target it wrote before
 * starting. A cloud started on that dir must bring the stream back to
 * ACTIVE, finish the reshard to the target, and lose no record.
 */
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  KinesisClient,
  PutRecordsCommand,
  UpdateShardCountCommand,
  waitUntilStreamExists,
} from '@aws-sdk/client-kinesis';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kinesalite from 'kinesalite';
import { afterAll, describe, expect, it } from 'vitest';
import { kinesisClient } from '../../../../functions/aws/clients';
import { startCoreCloud, type CoreCloud } from '../../../../localcloud/core-cloud';
import { BackendProxy } from '../../../../localcloud/edge/backend-proxy';
import { AMZ_JSON } from '../../../../localcloud/kinesis/kinesis-backend';
import { streamContents } from '../../../support/stream-contents';

const STREAM = 'resharded';
const HOUR_MS = 3_600_000;
/** Polls of the stream's status after the restart (a reshard step takes milliseconds). */
const POLLS = 200;
const POLL_MS = 50;

process.env.AWS_ACCESS_KEY_ID = 'test';
process.env.AWS_SECRET_ACCESS_KEY = 'test';
const dataDir = mkdtempSync(join(tmpdir(), 'streamscale-reshard-restart-'));
let cloud: CoreCloud | undefined;
const clients: KinesisClient[] = [];

afterAll(async () => {
  for (const c of clients) c.destroy();
  await cloud?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

function client(endpoint: string): KinesisClient {
  const c = kinesisClient({ endpoint, region: 'us-east-1', maxAttempts: 1 });
  clients.push(c);
  return c;
}

async function put(k: KinesisClient, from: number, n: number): Promise<void> {
  const Records = Array.from({ length: n }, (_, i) => ({
    PartitionKey: `user-${from + i}`,
    Data: Buffer.from(`record-${from + i}`),
  }));
  const r = await k.send(new PutRecordsCommand({ StreamName: STREAM, Records }));
  expect(r.FailedRecordCount ?? 0).toBe(0);
}

/** kinesalite alone on the cloud's store, as the killed cloud left it inside a split. */
async function splitLeftUnfinished(): Promise<void> {
  const server = kinesalite({ path: join(dataDir, 'kinesis'), updateStreamMs: HOUR_MS });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const direct = new BackendProxy((server.address() as AddressInfo).port);
  const call = async (op: string, input: object) => {
    const r = await direct.call(`Kinesis_20131202.${op}`, input, AMZ_JSON);
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    return r.json;
  };
  const { Shards } = (await call('ListShards', { StreamName: STREAM })) as {
    Shards: Array<{ ShardId: string; HashKeyRange: { EndingHashKey: string } }>;
  };
  await call('SplitShard', {
    StreamName: STREAM,
    ShardToSplit: Shards[0]!.ShardId,
    NewStartingHashKey: (BigInt(Shards[0]!.HashKeyRange.EndingHashKey) / 2n).toString(),
  });
  const records = Array.from({ length: 50 }, (_, i) => ({
    PartitionKey: `user-${100 + i}`,
    Data: Buffer.from(`record-${100 + i}`).toString('base64'),
  }));
  expect(await call('PutRecords', { StreamName: STREAM, Records: records })).toMatchObject({
    FailedRecordCount: 0,
  });
  const s = (await call('DescribeStreamSummary', { StreamName: STREAM })) as {
    StreamDescriptionSummary: { StreamStatus: string };
  };
  expect(s.StreamDescriptionSummary.StreamStatus).toBe('UPDATING');
  direct.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** What the edge journals before it starts an UpdateShardCount, after its last snapshot. */
function journalReshardTarget(target: number): void {
  const state = join(dataDir, 'state');
  const { generation } = JSON.parse(readFileSync(join(state, 'kinesis-edge.json'), 'utf8')) as {
    generation: number;
  };
  appendFileSync(
    join(state, `kinesis-edge.${generation}.journal`),
    `${JSON.stringify({ reshard: STREAM, target })}\n`,
  );
}

async function statusAfterRestart(k: KinesisClient): Promise<{ status?: string; open: number }> {
  let last: { status?: string; open: number } = { open: 0 };
  for (let i = 0; i < POLLS; i++) {
    const s = await k.send(new DescribeStreamSummaryCommand({ StreamName: STREAM }));
    last = {
      status: s.StreamDescriptionSummary?.StreamStatus,
      open: s.StreamDescriptionSummary?.OpenShardCount ?? 0,
    };
    if (last.status === 'ACTIVE' && last.open === 4) break;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  return last;
}

describe('a reshard in progress when the cloud stopped', () => {
  it('is finished after a restart on the same data dir, with every record kept', async () => {
    cloud = await startCoreCloud({ port: 0, dataDir, log: () => {} });
    let k = client(cloud.endpoint);
    await k.send(new CreateStreamCommand({ StreamName: STREAM, ShardCount: 2 }));
    await waitUntilStreamExists({ client: k, maxWaitTime: 30 }, { StreamName: STREAM });
    await put(k, 0, 100);
    await cloud.stop();
    cloud = undefined;

    await splitLeftUnfinished();
    journalReshardTarget(4);

    const lines: string[] = [];
    cloud = await startCoreCloud({ port: 0, dataDir, log: (s, l) => lines.push(`${s} ${l}`) });
    k = client(cloud.endpoint);
    const after = await statusAfterRestart(k);
    expect(after, lines.join('\n')).toEqual({ status: 'ACTIVE', open: 4 });
    expect(lines.join('\n')).toContain(`stream ${STREAM} was UPDATING`);
    // The stream takes reshards again (not stuck).
    await k.send(
      new UpdateShardCountCommand({
        StreamName: STREAM,
        TargetShardCount: 2,
        ScalingType: 'UNIFORM_SCALING',
      }),
    );
    await put(k, 150, 50);
    const names = (await streamContents(k, STREAM)).map((r) => r.data).sort();
    const expected = Array.from({ length: 200 }, (_, i) => `record-${i}`).sort();
    expect(names).toEqual(expected);
  });
});
