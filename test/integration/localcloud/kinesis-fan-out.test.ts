/**
 * Kinesis enhanced fan-out at the edge (issue 13), driven by the real SDK:
 * consumers registered, described (by ARN and by name), listed, counted and
 * deregistered with AWS's ARN format and states; SubscribeToShard as an
 * event stream over the default client's HTTP/2 and over HTTP/1.1, pushing
 * records written during the subscription, continuing exactly from a
 * ContinuationSequenceNumber, refusing a second subscription within 5 s,
 * and naming the children at the end of a closed shard.
 */
import { Agent } from 'node:http';
import {
  CreateStreamCommand,
  DeregisterStreamConsumerCommand,
  DescribeStreamConsumerCommand,
  DescribeStreamSummaryCommand,
  KinesisClient,
  ListStreamConsumersCommand,
  PutRecordsCommand,
  RegisterStreamConsumerCommand,
  SubscribeToShardCommand,
  UpdateShardCountCommand,
  waitUntilStreamExists,
  type SubscribeToShardEvent,
  type StartingPosition,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCoreCloud, type CoreCloud } from '../../../localcloud/core-cloud';

let cloud: CoreCloud;
let kinesis: KinesisClient;
let http1: KinesisClient;

beforeAll(async () => {
  cloud = await startCoreCloud({ port: 0, log: () => {} });
  const config = {
    endpoint: cloud.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  };
  kinesis = new KinesisClient(config);
  http1 = new KinesisClient({
    ...config,
    requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true }) }),
  });
});
afterAll(async () => {
  kinesis?.destroy();
  http1?.destroy();
  await cloud?.stop();
});

async function createStream(name: string, shards = 1): Promise<string> {
  await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
  await waitUntilStreamExists(
    { client: kinesis, maxWaitTime: 10, minDelay: 0.05 as number },
    { StreamName: name },
  );
  const s = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }));
  return s.StreamDescriptionSummary!.StreamARN!;
}

async function activeConsumer(streamArn: string, name: string): Promise<string> {
  const r = await kinesis.send(
    new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: name }),
  );
  const arn = r.Consumer!.ConsumerARN!;
  for (let i = 0; i < 200; i++) {
    const d = await kinesis.send(new DescribeStreamConsumerCommand({ ConsumerARN: arn }));
    if (d.ConsumerDescription?.ConsumerStatus === 'ACTIVE') return arn;
    await new Promise((res) => setTimeout(res, 10));
  }
  throw new Error(`consumer ${name} did not become ACTIVE`);
}

const put = (stream: string, texts: string[]) =>
  kinesis.send(
    new PutRecordsCommand({
      StreamName: stream,
      Records: texts.map((t) => ({ PartitionKey: t, Data: Buffer.from(t) })),
    }),
  );

/**
 * Subscribes and collects events until `done` says so (or the stream ends),
 * calling `onEvent` after each; aborts the subscription afterwards.
 */
async function subscribe(
  client: KinesisClient,
  consumerArn: string,
  shardId: string,
  position: StartingPosition,
  done: (events: SubscribeToShardEvent[]) => boolean,
  onEvent: (events: SubscribeToShardEvent[]) => Promise<void> = async () => {},
): Promise<SubscribeToShardEvent[]> {
  const abort = new AbortController();
  const out = await client.send(
    new SubscribeToShardCommand({
      ConsumerARN: consumerArn,
      ShardId: shardId,
      StartingPosition: position,
    }),
    { abortSignal: abort.signal },
  );
  const events: SubscribeToShardEvent[] = [];
  try {
    for await (const e of out.EventStream!) {
      if (!e.SubscribeToShardEvent) continue;
      events.push(e.SubscribeToShardEvent);
      if (done(events)) break;
      await onEvent(events);
    }
  } finally {
    abort.abort();
  }
  return events;
}

const texts = (events: SubscribeToShardEvent[]) =>
  events.flatMap((e) => (e.Records ?? []).map((r) => Buffer.from(r.Data!).toString()));

describe('stream consumers', () => {
  it('registers, describes, lists, counts and deregisters with AWS ARNs and states', async () => {
    const streamArn = await createStream('efo-admin');
    const r = await kinesis.send(
      new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: 'app-1' }),
    );
    expect(r.Consumer).toMatchObject({ ConsumerName: 'app-1', ConsumerStatus: 'CREATING' });
    expect(r.Consumer!.ConsumerARN).toMatch(
      /^arn:aws:kinesis:us-east-1:000000000000:stream\/efo-admin\/consumer\/app-1:\d{10}$/,
    );
    expect(r.Consumer!.ConsumerCreationTimestamp).toBeInstanceOf(Date);
    const arn = await activeConsumer(streamArn, 'app-2');
    const byName = await kinesis.send(
      new DescribeStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: 'app-2' }),
    );
    expect(byName.ConsumerDescription).toMatchObject({
      ConsumerARN: arn,
      ConsumerStatus: 'ACTIVE',
      StreamARN: streamArn,
    });
    const listed = await kinesis.send(new ListStreamConsumersCommand({ StreamARN: streamArn }));
    expect(listed.Consumers?.map((c) => c.ConsumerName).sort()).toEqual(['app-1', 'app-2']);
    const summary = await kinesis.send(
      new DescribeStreamSummaryCommand({ StreamName: 'efo-admin' }),
    );
    expect(summary.StreamDescriptionSummary?.ConsumerCount).toBe(2);
    await expect(
      kinesis.send(
        new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: 'app-2' }),
      ),
    ).rejects.toMatchObject({ name: 'ResourceInUseException' });
    await kinesis.send(new DeregisterStreamConsumerCommand({ ConsumerARN: arn }));
    for (let i = 0; i < 200; i++) {
      const l = await kinesis.send(new ListStreamConsumersCommand({ StreamARN: streamArn }));
      if (l.Consumers?.length === 1) break;
      await new Promise((res) => setTimeout(res, 10));
    }
    await expect(
      kinesis.send(new DescribeStreamConsumerCommand({ ConsumerARN: arn })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });
});

describe('SubscribeToShard', () => {
  it('streams what was there and pushes what is written meanwhile, over HTTP/2 and HTTP/1.1', async () => {
    const streamArn = await createStream('efo-push');
    const consumer = await activeConsumer(streamArn, 'push');
    await put('efo-push', ['a', 'b']);
    let wrote = false;
    const events = await subscribe(
      kinesis,
      consumer,
      'shardId-000000000000',
      { Type: 'TRIM_HORIZON' },
      (e) => texts(e).length >= 4,
      async (e) => {
        if (!wrote && texts(e).length >= 2) {
          wrote = true;
          await put('efo-push', ['c', 'd']);
        }
      },
    );
    expect(texts(events)).toEqual(['a', 'b', 'c', 'd']);
    const last = events.at(-1)!;
    expect(last.ContinuationSequenceNumber).toBe(last.Records!.at(-1)!.SequenceNumber);
    expect(last.MillisBehindLatest).toBe(0);
    // a second subscription of the same consumer and shard within 5 s is refused, as on AWS
    await expect(
      kinesis.send(
        new SubscribeToShardCommand({
          ConsumerARN: consumer,
          ShardId: 'shardId-000000000000',
          StartingPosition: { Type: 'TRIM_HORIZON' },
        }),
      ),
    ).rejects.toMatchObject({ name: 'ResourceInUseException' });
    const other = await activeConsumer(streamArn, 'http1');
    const overHttp1 = await subscribe(
      http1,
      other,
      'shardId-000000000000',
      { Type: 'TRIM_HORIZON' },
      (e) => texts(e).length >= 4,
    );
    expect(texts(overHttp1)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('continues exactly after a ContinuationSequenceNumber, even from an empty event', async () => {
    const streamArn = await createStream('efo-continue');
    const first = await activeConsumer(streamArn, 'first');
    const seen = await subscribe(
      kinesis,
      first,
      'shardId-000000000000',
      { Type: 'LATEST' },
      (e) => e.length >= 1,
    );
    expect(seen[0]!.Records).toEqual([]);
    const from = seen[0]!.ContinuationSequenceNumber!;
    await put('efo-continue', ['x', 'y']);
    const second = await activeConsumer(streamArn, 'second');
    const after = await subscribe(
      kinesis,
      second,
      'shardId-000000000000',
      { Type: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: from },
      (e) => texts(e).length >= 2,
    );
    expect(texts(after)).toEqual(['x', 'y']);
    const third = await activeConsumer(streamArn, 'third');
    const afterX = await subscribe(
      kinesis,
      third,
      'shardId-000000000000',
      { Type: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: after[0]!.Records![0]!.SequenceNumber },
      (e) => texts(e).length >= 1,
    );
    expect(texts(afterX)).toEqual(['y']);
  });

  it('names the children at the end of a closed shard, then ends', async () => {
    const streamArn = await createStream('efo-reshard');
    const consumer = await activeConsumer(streamArn, 'r');
    await put('efo-reshard', ['before']);
    await kinesis.send(
      new UpdateShardCountCommand({
        StreamName: 'efo-reshard',
        TargetShardCount: 2,
        ScalingType: 'UNIFORM_SCALING',
      }),
    );
    for (let i = 0; i < 400; i++) {
      const s = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: 'efo-reshard' }));
      if (s.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') break;
      await new Promise((res) => setTimeout(res, 25));
    }
    const events = await subscribe(
      kinesis,
      consumer,
      'shardId-000000000000',
      { Type: 'TRIM_HORIZON' },
      () => false,
    );
    expect(texts(events)).toEqual(['before']);
    const end = events.at(-1)!;
    expect(end.ContinuationSequenceNumber).toBeUndefined();
    expect(end.ChildShards?.map((c) => c.ShardId).sort()).toEqual([
      'shardId-000000000001',
      'shardId-000000000002',
    ]);
    expect(end.ChildShards?.[0]?.ParentShards).toEqual(['shardId-000000000000']);
  });
});
