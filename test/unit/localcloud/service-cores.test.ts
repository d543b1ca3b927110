/**
 * The pure parts of the core cloud: the resharding plan (any n → m within
 * AWS's half/double bounds ends at uniform ranges), the hash-to-shard lookup,
 * per-shard token buckets, the metric store's aggregation and bounds, alarm
 * rules, and query-protocol decoding.
 */
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateAlarm } from '../../../localcloud/cloudwatch/alarm-evaluation';
import { MetricStore } from '../../../localcloud/cloudwatch/metric-store';
import { decodeQueryForm } from '../../../localcloud/edge/query-protocol';
import { routeRequest } from '../../../localcloud/edge/route-request';
import {
  incrementSequence,
  parseSequence,
  partitionKeyToHashKey,
  stringifySequence,
} from '../../../localcloud/kinesis/kinesalite-fast-paths';
import { scanGetRecords } from '../../../localcloud/kinesis/read-operations';
import {
  HASH_SPACE,
  nextReshardStep,
  recordHashKey,
  shardFor,
  uniformStarts,
  type ShardRange,
} from '../../../localcloud/kinesis/shard-hash';
import { ShardWriteLimiter } from '../../../localcloud/kinesis/token-bucket';

function uniform(n: number, firstId = 0): ShardRange[] {
  const starts = uniformStarts(n);
  return starts.map((s, i) => ({
    shardId: `s${firstId + i}`,
    start: s,
    end: i + 1 < n ? starts[i + 1]! - 1n : HASH_SPACE - 1n,
  }));
}

/** Applies steps the way kinesalite does (children get fresh ids). */
function reshard(open: ShardRange[], target: number): { open: ShardRange[]; steps: number } {
  let next = 1000;
  let cur = [...open];
  for (let steps = 0; steps < 1000; steps++) {
    const step = nextReshardStep(cur, target);
    if (step.kind === 'done') return { open: cur, steps };
    if (step.kind === 'split') {
      const s = cur.find((x) => x.shardId === step.shardId)!;
      cur = cur.filter((x) => x !== s);
      cur.push(
        { shardId: `s${next++}`, start: s.start, end: step.newStartingHashKey - 1n },
        { shardId: `s${next++}`, start: step.newStartingHashKey, end: s.end },
      );
    } else {
      const a = cur.find((x) => x.shardId === step.shardId)!;
      const b = cur.find((x) => x.shardId === step.adjacentShardId)!;
      cur = cur.filter((x) => x !== a && x !== b);
      cur.push({ shardId: `s${next++}`, start: a.start, end: b.end });
    }
    cur.sort((x, y) => (x.start < y.start ? -1 : 1));
  }
  throw new Error('no convergence');
}

describe('resharding plan', () => {
  it('doubling splits every shard once, halving merges pairs once', () => {
    expect(reshard(uniform(2), 4)).toEqual({ open: expect.any(Array), steps: 2 });
    expect(reshard(uniform(4), 2).steps).toBe(2);
  });

  it('any n → m within [ceil(n/2), 2n] ends at exactly the uniform ranges', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 24 }), fc.integer({ min: 0, max: 1000 }), (n, r) => {
        const lo = Math.ceil(n / 2);
        const m = lo + (r % (2 * n - lo + 1));
        const { open } = reshard(uniform(n), m);
        expect(open.map((s) => s.start)).toEqual(uniformStarts(m));
        expect(open[open.length - 1]!.end).toBe(HASH_SPACE - 1n);
      }),
      { numRuns: 150 },
    );
  });
});

describe('hash key routing', () => {
  it('MD5 of the partition key picks the shard whose range holds it', () => {
    const shards = uniform(4);
    // md5('a') = 0cc175b9c0f1b6a831c399e269772661 → first quarter
    expect(recordHashKey('a')).toBe(BigInt('0x0cc175b9c0f1b6a831c399e269772661'));
    expect(shardFor(shards, recordHashKey('a'))?.shardId).toBe('s0');
    expect(shardFor(shards, HASH_SPACE - 1n)?.shardId).toBe('s3');
    expect(shardFor(shards, recordHashKey('ignored', String(HASH_SPACE / 2n)))?.shardId).toBe('s2');
  });

  it('a shard bucket allows its per-second records and bytes, then refills', () => {
    const l = new ShardWriteLimiter(10, 1000, 0);
    let ok = 0;
    for (let i = 0; i < 20; i++) if (l.tryTake(10, 0)) ok++;
    expect(ok).toBe(10);
    expect(l.tryTake(10, 500)).toBe(true); // half a second later: 5 more
    const big = new ShardWriteLimiter(1000, 100, 0);
    expect(big.tryTake(80, 0)).toBe(true);
    expect(big.tryTake(80, 0)).toBe(false); // bytes exhausted
  });

  it('scans a GetRecords answer for count, bytes and the last arrival time', () => {
    const text = JSON.stringify({
      MillisBehindLatest: 0,
      NextShardIterator: 'x',
      Records: [
        {
          PartitionKey: '"Data":"',
          Data: Buffer.from('hello').toString('base64'),
          SequenceNumber: '1',
          ApproximateArrivalTimestamp: 100.5,
        },
        {
          PartitionKey: 'b',
          Data: Buffer.from('hi').toString('base64'),
          SequenceNumber: '2',
          ApproximateArrivalTimestamp: 101.25,
        },
      ],
    });
    expect(scanGetRecords(Buffer.from(text))).toEqual({
      records: 2,
      bytes: 7,
      lastArrival: 101.25,
      millisBehind: 0,
    });
  });
});

describe('metric store', () => {
  const id = { namespace: 'N', name: 'm', dimensions: { A: '1' } };
  it('aggregates 1 s buckets into any period; dimensions identify series exactly', () => {
    const s = new MetricStore();
    const t0 = Math.floor(Date.now() / 60_000) * 60_000 - 120_000;
    for (let i = 0; i < 120; i++)
      s.putMetric({ ...id, value: i, timestamp: new Date(t0 + i * 1000) });
    const q = { ...id, start: new Date(t0), end: new Date(t0 + 120_000), periodSeconds: 60 };
    expect(s.query({ ...q, stat: 'Sum' }).map((p) => p.value)).toEqual([1770, 5370]);
    expect(s.query({ ...q, stat: 'p50' }).map((p) => p.value)).toEqual([29, 89]);
    expect(s.query({ ...q, stat: 'SampleCount', dimensions: {} })).toEqual([]);
    expect(() => s.query({ ...q, stat: 'Median' })).toThrow(/unsupported statistic/);
  });

  it('drops data older than its retention and keeps a bounded sample per bucket', () => {
    const s = new MetricStore({ retentionSeconds: 60, samplesPerBucket: 10 });
    s.putMetric({ ...id, value: 1, timestamp: new Date(Date.now() - 120_000) });
    const now = new Date();
    s.putValues(id, now, [5], [1000]);
    const q = {
      ...id,
      start: new Date(Date.now() - 600_000),
      end: new Date(Date.now() + 1000),
      periodSeconds: 600,
    };
    expect(s.statistics(q, ['SampleCount', 'Sum', 'p99'])[0]?.values).toEqual({
      SampleCount: 1000,
      Sum: 5000,
      p99: 5,
    });
  });
});

describe('alarm rules', () => {
  const rule = {
    evaluationPeriods: 3,
    datapointsToAlarm: 2,
    threshold: 10,
    comparison: 'GreaterThanThreshold' as const,
    treatMissingData: 'missing',
  };
  it('M of N breaching → ALARM; missing data by TreatMissingData', () => {
    expect(evaluateAlarm(rule, [11, 12, 1], 'OK').state).toBe('ALARM');
    expect(evaluateAlarm(rule, [11, 1, 1], 'ALARM').state).toBe('OK');
    expect(evaluateAlarm(rule, [], 'OK').state).toBe('INSUFFICIENT_DATA');
    expect(evaluateAlarm({ ...rule, treatMissingData: 'breaching' }, [11], 'OK').state).toBe(
      'ALARM',
    );
    expect(evaluateAlarm({ ...rule, treatMissingData: 'notBreaching' }, [], 'ALARM').state).toBe(
      'OK',
    );
    expect(evaluateAlarm({ ...rule, treatMissingData: 'ignore' }, [], 'ALARM').state).toBe('ALARM');
  });
});

describe('edge routing and query decoding', () => {
  it('routes by credential scope first, then X-Amz-Target, then Action=', () => {
    const body = Buffer.from('Action=SendMessage&Version=2012-11-05');
    expect(
      routeRequest(
        'POST',
        '/',
        {
          authorization:
            'AWS4-HMAC-SHA256 Credential=AK/20250101/us-east-1/kinesis/aws4_request, SignedHeaders=host, Signature=0',
        },
        Buffer.alloc(0),
      ).service,
    ).toBe('kinesis');
    expect(
      routeRequest('POST', '/', { 'x-amz-target': 'DynamoDB_20120810.PutItem' }, Buffer.alloc(0)),
    ).toEqual({ service: 'dynamodb', operation: 'PutItem', protocol: 'json' });
    expect(
      routeRequest('POST', '/', { 'content-type': 'application/x-www-form-urlencoded' }, body),
    ).toEqual({ service: 'sqs', operation: 'SendMessage', protocol: 'query' });
    expect(routeRequest('GET', '/2015-03-31/functions/', {}, Buffer.alloc(0)).service).toBe(
      'lambda',
    );
  });

  it('decodes member lists and flattened lists into the JSON shape', () => {
    const { action, params } = decodeQueryForm(
      'Action=PutMetricData&Namespace=N&MetricData.member.1.MetricName=a&MetricData.member.1.Dimensions.member.1.Name=D&MetricData.member.1.Dimensions.member.1.Value=v' +
        '&MetricData.member.2.MetricName=b&MetricData.member.2.Values.member.1=1&MetricData.member.2.Values.member.2=2&Attribute.1.Name=X&Attribute.1.Value=Y',
    );
    expect(action).toBe('PutMetricData');
    expect(params).toEqual({
      Namespace: 'N',
      MetricData: [
        { MetricName: 'a', Dimensions: [{ Name: 'D', Value: 'v' }] },
        { MetricName: 'b', Values: ['1', '2'] },
      ],
      Attribute: [{ Name: 'X', Value: 'Y' }],
    });
  });
});

describe('kinesalite fast paths', () => {
  // kinesalite's own bignumber.js versions, from a fresh copy of its db module
  const req = createRequire(import.meta.url);
  const path = req.resolve('kinesalite/db');
  const cached = req.cache[path];
  delete req.cache[path];
  const original = req('kinesalite/db') as {
    parseSequence(s: string): unknown;
    stringifySequence(o: unknown): string;
    incrementSequence(o: unknown, t?: number | null): string;
    partitionKeyToHashKey(k: string): { comparedTo(x: unknown): number };
  };
  if (cached) req.cache[path] = cached;

  const parts = fc.record({
    shardCreateTime: fc.integer({ min: 1_400_000_000, max: 2_000_000_000 }).map((s) => s * 1000),
    shardIx: fc.integer({ min: 0, max: 100_000 }),
    seqIx: fc.oneof(
      fc.integer({ min: 0, max: 2 ** 40 }),
      fc.bigInt({ min: 0n, max: (1n << 63n) - 1n }).map(String),
    ),
    seqTime: fc.integer({ min: 1_400_000_000, max: 2_000_000_000 }).map((s) => s * 1000),
  });

  it('give the same sequence numbers and parts as kinesalite', () => {
    fc.assert(
      fc.property(parts, (p) => {
        const seq = stringifySequence(p);
        expect(seq).toBe(original.stringifySequence(p));
        expect(parseSequence(seq)).toEqual(original.parseSequence(seq));
        expect(incrementSequence(seq)).toBe(original.incrementSequence(seq));
        expect(incrementSequence(parseSequence(seq), 1_700_000_000_000)).toBe(
          original.incrementSequence(seq, 1_700_000_000_000),
        );
        const start = stringifySequence({ shardCreateTime: p.shardCreateTime, shardIx: p.shardIx });
        expect(start).toBe(
          original.stringifySequence({ shardCreateTime: p.shardCreateTime, shardIx: p.shardIx }),
        );
        expect(parseSequence(start)).toEqual(original.parseSequence(start));
      }),
      { numRuns: 300 },
    );
  });

  it('compare partition-key hashes like kinesalite', () => {
    fc.assert(
      fc.property(fc.string(), fc.bigInt({ min: 0n, max: HASH_SPACE - 1n }), (key, bound) => {
        expect(partitionKeyToHashKey(key).comparedTo(bound.toString())).toBe(
          original.partitionKeyToHashKey(key).comparedTo(bound.toString()),
        );
        expect(partitionKeyToHashKey(key).toFixed()).toBe(recordHashKey(key).toString());
      }),
      { numRuns: 300 },
    );
  });
});
