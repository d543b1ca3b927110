/**
 * Reads that other requests cannot stretch (issue 14): a GetRecords of
 * thousands of records takes a few turns of the event loop, not one per
 * record — kinesalite's store (memdown) used to answer each step after a
 * setImmediate, so under a storm of refused writes every record of a read
 * waited for a turn's worth of other work (a 1,300-record read took 7 s in
 * the throttle-storm bench). Counted in loop turns, not time — of the loop
 * kinesalite runs on, so it runs inline here (by default it has its own
 * worker thread, whose turns this thread cannot count).
 */
import {
  CreateStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  PutRecordsCommand,
  waitUntilStreamExists,
} from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startCoreCloud, type CoreCloud } from '../../../localcloud/core-cloud';

const RECORDS = 2_000;
let cloud: CoreCloud;
let kinesis: KinesisClient;

beforeAll(async () => {
  cloud = await startCoreCloud({
    port: 0,
    shardRecordsPerSecond: 1e9,
    emulators: 'inline',
    log: () => {},
  });
  kinesis = new KinesisClient({
    endpoint: cloud.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
});
afterAll(async () => {
  kinesis?.destroy();
  await cloud?.stop();
});

it(`reads ${RECORDS} records in far fewer event-loop turns than records`, async () => {
  await kinesis.send(new CreateStreamCommand({ StreamName: 'turns', ShardCount: 1 }));
  await waitUntilStreamExists(
    { client: kinesis, maxWaitTime: 10, minDelay: 0.05 as number },
    { StreamName: 'turns' },
  );
  for (let i = 0; i < RECORDS; i += 500) {
    const Records = Array.from({ length: 500 }, (_, j) => ({
      PartitionKey: `k${i + j}`,
      Data: Buffer.from(`r${i + j}`),
    }));
    await kinesis.send(new PutRecordsCommand({ StreamName: 'turns', Records }));
  }
  const it = await kinesis.send(
    new GetShardIteratorCommand({
      StreamName: 'turns',
      ShardId: 'shardId-000000000000',
      ShardIteratorType: 'TRIM_HORIZON',
    }),
  );
  let turns = 0;
  let counting = true;
  const count = () => {
    turns++;
    if (counting) setImmediate(count);
  };
  setImmediate(count);
  const got = await kinesis.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator }));
  counting = false;
  expect(got.Records).toHaveLength(RECORDS);
  expect(turns).toBeLessThan(RECORDS / 10);
});
