/**
 * The pure cores of the embedded Lambda plane (no cloud needed): lane
 * assignment and batching, checkpoints, the retry policy, partial-batch
 * responses, the Kinesis event and failure record shapes, EMF parsing,
 * schedule expressions, and the Lambda REST route table.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { firingIntervalMs, parseSchedule } from '../../../localcloud/events/schedule-expression';
import { parseEmfLine } from '../../../localcloud/lambda/runtime/emf';
import { functionNameOf } from '../../../localcloud/lambda/api/function-definition';
import { ShardCheckpoint } from '../../../localcloud/lambda/event-sources/kinesis/checkpoint';
import {
  failureRecord,
  kinesisEvent,
} from '../../../localcloud/lambda/event-sources/kinesis/kinesis-event';
import { laneOf } from '../../../localcloud/lambda/event-sources/kinesis/lane-assignment';
import { LaneBatcher } from '../../../localcloud/lambda/event-sources/kinesis/lane-batcher';
import {
  backoffMs,
  decideOnFailure,
  partialFailureIndex,
} from '../../../localcloud/lambda/event-sources/kinesis/retry-policy';
import {
  compareSequence,
  type ShardRecord,
} from '../../../localcloud/lambda/event-sources/kinesis/shard-record';
import { matchRoute } from '../../../localcloud/lambda/api/rest-routes';

const seq = (i: number) => `4960${String(i).padStart(20, '0')}`;
const rec = (i: number, pk: string): ShardRecord => ({
  sequenceNumber: seq(i),
  partitionKey: pk,
  data: Buffer.from(`${pk}:${i}`).toString('base64'),
  arrivalMs: 1_000_000 + i,
});

describe('lanes and batching', () => {
  it('a partition key always maps to the same lane, within range', () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 1, max: 10 }), (pk, n) => {
        const lane = laneOf(pk, n);
        expect(lane).toBeGreaterThanOrEqual(0);
        expect(lane).toBeLessThan(n);
        expect(laneOf(pk, n)).toBe(lane);
      }),
    );
    const used = new Set(Array.from({ length: 100 }, (_, i) => laneOf(`user_${i}`, 4)));
    expect(used.size).toBe(4);
  });

  it('reports nothing due while lanes wait to regroup after a parallelization change', () => {
    const keys = Array.from({ length: 50 }, (_, i) => `k${i}`);
    const busyKey = keys.find((k) => laneOf(k, 2) === 0)!;
    const idleKey = keys.find((k) => laneOf(k, 2) === 1)!;
    const b = new LaneBatcher(2);
    const s = { batchSize: 2, windowMs: 1000 };
    b.add([rec(1, busyKey), rec(2, busyKey), rec(3, idleKey)], 0);
    expect(b.cut(0, s, false).map((c) => c.lane)).toEqual([0]); // full lane cut; the other waits for its window
    b.setParallelization(4);
    // Nothing can be cut until the in-flight batch completes. Reporting the idle lane's (past) due time
    // made the poller loop without yielding, so the in-flight invocation never finished.
    expect(b.cut(5000, s, false)).toEqual([]);
    expect(b.nextDue(s)).toBeUndefined();
    b.complete(0);
    expect(b.parallelization).toBe(4);
    expect(b.nextDue(s)).toBe(0 + 1000);
  });

  it('cuts full batches at once, partial ones after the window, one batch in flight per lane', () => {
    const b = new LaneBatcher(1);
    const s = { batchSize: 3, windowMs: 1000 };
    b.add([rec(1, 'a'), rec(2, 'a'), rec(3, 'a'), rec(4, 'a')], 0);
    const first = b.cut(0, s, false);
    expect(first.map((c) => c.records.length)).toEqual([3]);
    expect(b.cut(5000, s, false)).toEqual([]); // lane busy
    b.complete(0);
    // the rest keeps the window of its first record (t=0): due at t=1000, not a window after the cut
    expect(b.cut(10, s, false)).toEqual([]);
    expect(b.nextDue(s)).toBe(1000);
    expect(b.cut(1000, s, false)[0]!.records.map((r) => r.sequenceNumber)).toEqual([seq(4)]);
  });

  it('window 0 cuts as soon as records are there; a drained shard flushes', () => {
    const b = new LaneBatcher(2);
    b.add([rec(1, 'a')], 0);
    expect(b.cut(0, { batchSize: 100, windowMs: 0 }, false)).toHaveLength(1);
    const c = new LaneBatcher(2);
    c.add([rec(1, 'a')], 0);
    expect(c.cut(0, { batchSize: 100, windowMs: 60_000 }, true)).toHaveLength(1);
  });

  it('keeps per-key order across any interleaving of completions and a ParallelizationFactor change', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 80 }),
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 1, max: 10 }),
        fc.array(fc.nat(), { maxLength: 200 }),
        (keys, pf1, pf2, picks) => {
          const b = new LaneBatcher(pf1);
          const s = { batchSize: 3, windowMs: 0 };
          b.add(
            keys.map((k, i) => rec(i, `k${k}`)),
            0,
          );
          const handled: ShardRecord[] = [];
          const inFlight: Array<{ lane: number; records: ShardRecord[] }> = [];
          let p = 0;
          let changed = false;
          for (let step = 0; step < 1000 && handled.length < keys.length; step++) {
            inFlight.push(...b.cut(step, s, true));
            if (!changed && step === 2) {
              b.setParallelization(pf2);
              changed = true;
            }
            if (inFlight.length === 0) continue;
            const i = (picks[p++ % Math.max(1, picks.length)] ?? 0) % inFlight.length;
            const done = inFlight.splice(i, 1)[0]!;
            handled.push(...done.records);
            b.complete(done.lane);
          }
          expect(handled).toHaveLength(keys.length);
          for (let k = 0; k <= 5; k++) {
            const mine = handled
              .filter((r) => r.partitionKey === `k${k}`)
              .map((r) => r.sequenceNumber);
            expect(mine).toEqual([...mine].sort(compareSequence));
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('checkpoint', () => {
  it('is the lowest sequence number not yet done', () => {
    const c = new ShardCheckpoint();
    c.take([seq(1), seq(2), seq(3)]);
    c.markDone([seq(2)]);
    expect(c.lowestPending).toBe(seq(1));
    c.markDone([seq(1)]);
    expect(c.lowestPending).toBe(seq(3));
    c.markDone([seq(3)]);
    expect(c.lowestPending).toBeUndefined();
    expect(c.lastTaken).toBe(seq(3));
  });
});

describe('retry policy', () => {
  const base = {
    maximumRetryAttempts: 2,
    maximumRecordAgeSeconds: -1,
    bisectOnError: false,
    retryBaseMs: 100,
    retryMaxMs: 1000,
  };
  it('retries the same batch with doubling backoff until the retry limit, then discards', () => {
    expect(decideOnFailure(base, 10, 0, 0, 0)).toEqual({ kind: 'retry', delayMs: 100 });
    expect(decideOnFailure(base, 10, 1, 0, 0)).toEqual({ kind: 'retry', delayMs: 200 });
    expect(decideOnFailure(base, 10, 2, 0, 0)).toEqual({
      kind: 'discard',
      condition: 'RetryAttemptsExhausted',
    });
    expect(decideOnFailure({ ...base, maximumRetryAttempts: -1 }, 10, 10_000, 0, 0).kind).toBe(
      'retry',
    );
    expect(backoffMs(10, 100, 1000)).toBe(1000);
  });
  it('discards records older than the maximum age, and bisects before retrying when asked', () => {
    expect(decideOnFailure({ ...base, maximumRecordAgeSeconds: 60 }, 10, 0, 0, 61_000)).toEqual({
      kind: 'discard',
      condition: 'RecordAgeExceeded',
    });
    expect(decideOnFailure({ ...base, bisectOnError: true }, 10, 0, 0, 0)).toEqual({
      kind: 'bisect',
    });
    expect(decideOnFailure({ ...base, bisectOnError: true }, 1, 0, 0, 0).kind).toBe('retry');
  });
  it('reads partial batch responses as AWS does', () => {
    const seqs = [seq(1), seq(2), seq(3)];
    expect(partialFailureIndex({ batchItemFailures: [] }, seqs)).toBeUndefined();
    expect(partialFailureIndex(null, seqs)).toBeUndefined();
    expect(
      partialFailureIndex(
        { batchItemFailures: [{ itemIdentifier: seq(3) }, { itemIdentifier: seq(2) }] },
        seqs,
      ),
    ).toBe(1);
    expect(partialFailureIndex({ batchItemFailures: [{ itemIdentifier: 'nope' }] }, seqs)).toBe(
      'all',
    );
    expect(partialFailureIndex({ batchItemFailures: [{}] }, seqs)).toBe('all');
  });
});

describe('event shapes', () => {
  const id = {
    shardId: 'shardId-000000000001',
    streamArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/s',
    region: 'us-east-1',
    invokeIdentityArn: 'arn:aws:iam::000000000000:role/r',
  };
  it('builds the Kinesis event as AWS sends it', () => {
    const e = kinesisEvent([rec(7, 'user_1')], id);
    expect(e.Records[0]).toEqual({
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey: 'user_1',
        sequenceNumber: seq(7),
        data: Buffer.from('user_1:7').toString('base64'),
        approximateArrivalTimestamp: 1000.007,
      },
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: `shardId-000000000001:${seq(7)}`,
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: id.invokeIdentityArn,
      awsRegion: 'us-east-1',
      eventSourceARN: id.streamArn,
    });
  });
  it('builds the on-failure invocation record', () => {
    const r = failureRecord([rec(1, 'a'), rec(2, 'b')], id, {
      requestId: 'r',
      functionArn: 'f',
      condition: 'RetryAttemptsExhausted',
      approximateInvokeCount: 3,
      functionError: 'Unhandled',
      now: new Date(0),
    });
    expect(r.KinesisBatchInfo).toEqual({
      shardId: id.shardId,
      startSequenceNumber: seq(1),
      endSequenceNumber: seq(2),
      approximateArrivalOfFirstRecord: new Date(1_000_001).toISOString(),
      approximateArrivalOfLastRecord: new Date(1_000_002).toISOString(),
      batchSize: 2,
      streamArn: id.streamArn,
    });
    expect(r.requestContext).toEqual({
      requestId: 'r',
      functionArn: 'f',
      condition: 'RetryAttemptsExhausted',
      approximateInvokeCount: 3,
    });
  });
});

describe('EMF', () => {
  it('turns every metric value of every dimension set into a datum', () => {
    const line = JSON.stringify({
      _aws: {
        Timestamp: 5000,
        CloudWatchMetrics: [
          {
            Namespace: 'N',
            Dimensions: [['A'], ['A', 'B']],
            Metrics: [{ Name: 'M', Unit: 'Count' }, { Name: 'V' }],
          },
        ],
      },
      A: 'a',
      B: 'b',
      M: [1, 2],
      V: 3,
    });
    const data = parseEmfLine(line);
    expect(data).toHaveLength(6);
    expect(data[0]).toEqual({
      namespace: 'N',
      name: 'M',
      dimensions: { A: 'a' },
      value: 1,
      unit: 'Count',
      timestamp: new Date(5000),
    });
    expect(data.filter((d) => d.name === 'V').map((d) => d.dimensions)).toEqual([
      { A: 'a' },
      { A: 'a', B: 'b' },
    ]);
  });
  it('ignores non-EMF lines and EMF behind console.log prefixes (as CloudWatch Logs does)', () => {
    expect(parseEmfLine('hello')).toEqual([]);
    expect(parseEmfLine('{"not":"emf"}')).toEqual([]);
    expect(
      parseEmfLine('2026-01-01T00:00:00.000Z\tid\tINFO\t{"_aws":{"CloudWatchMetrics":[]}}'),
    ).toEqual([]);
  });
});

describe('schedules', () => {
  it('parses rate expressions with AWS unit rules and divides by the speed-up', () => {
    expect(parseSchedule('rate(1 minute)')).toEqual({ kind: 'rate', periodMs: 60_000 });
    expect(parseSchedule('rate(5 minutes)')).toEqual({ kind: 'rate', periodMs: 300_000 });
    expect(parseSchedule('rate(2 hours)')).toEqual({ kind: 'rate', periodMs: 7_200_000 });
    expect(() => parseSchedule('rate(1 minutes)')).toThrow(/not valid/);
    expect(() => parseSchedule('rate(2 minute)')).toThrow(/not valid/);
    expect(() => parseSchedule('every minute')).toThrow(/not valid/);
    expect(parseSchedule('cron(0/5 * * * ? *)').kind).toBe('cron');
    expect(firingIntervalMs(60_000, 12)).toBe(5000);
  });
});

describe('Lambda REST routes', () => {
  it('matches the paths @aws-sdk/client-lambda sends', () => {
    expect(matchRoute('POST', '/2015-03-31/functions/my-fn/invocations')).toMatchObject({
      operation: 'Invoke',
      params: { FunctionName: 'my-fn' },
    });
    expect(matchRoute('GET', '/2019-09-30/functions/f/concurrency')?.operation).toBe(
      'GetFunctionConcurrency',
    );
    expect(matchRoute('PUT', '/2017-10-31/functions/f/concurrency')?.operation).toBe(
      'PutFunctionConcurrency',
    );
    expect(matchRoute('GET', '/2015-03-31/event-source-mappings?FunctionName=f')).toMatchObject({
      operation: 'ListEventSourceMappings',
    });
    expect(matchRoute('GET', '/2015-03-31/event-source-mappings/abc')).toMatchObject({
      operation: 'GetEventSourceMapping',
      params: { UUID: 'abc' },
    });
    expect(
      matchRoute(
        'GET',
        '/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Af',
      )?.params.FunctionName,
    ).toBe('arn:aws:lambda:us-east-1:000000000000:function:f');
    expect(matchRoute('POST', '/2021-10-31/functions/f/url')).toBeUndefined();
    expect(functionNameOf('arn:aws:lambda:us-east-1:000000000000:function:f:$LATEST')).toBe('f');
    expect(functionNameOf('000000000000:function:f')).toBe('f');
  });
});
