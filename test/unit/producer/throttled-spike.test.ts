/**
 * The demo's spike in virtual time against a throttling stream model: the
 * real runSpike, generators, writers, shard map and limiter, with Kinesis
 * replaced by ThrottlingStreamModel and the clock by vitest's fake timers.
 * Shape of `npm start -- --profile short`: 1 producer at 600 records/s, +3
 * during 25 s, against one 1,000 records/s shard that a scaler takes to 2
 * and then 4 shards during the spike.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PRODUCER_CONFIG } from '../../../producer/producer-config';
import { emptyStats } from '../../../producer/producer-stats';
import { ShardRateLimiter } from '../../../producer/shard-rate-limiter';
import { planSpike } from '../../../producer/spike-plan';
import { runSpike, type SpikeSummary } from '../../../producer/spike-runner';
import { ThrottlingStreamModel } from './throttling-stream-model';

interface Scenario {
  /** records/s one shard accepts */
  capacity: number;
  shards: number;
  /** records/s per producer */
  rate: number;
  plan: {
    producers: number;
    spikeProducers: number;
    baselineS: number;
    spikeS: number;
    cooldownS: number;
  };
  reshards: Array<{ atS: number; shards: number }>;
}

/** `npm start -- --profile short` against AWS's per-shard limit, resharded 1 → 2 → 4 during the spike. */
const DEMO: Scenario = {
  capacity: 1000,
  shards: 1,
  rate: 600,
  plan: { producers: 1, spikeProducers: 3, baselineS: 8, spikeS: 25, cooldownS: 8 },
  reshards: [
    { atS: 15, shards: 2 },
    { atS: 22, shards: 4 },
  ],
};
/** The integration test's shape: 2 shards that take 150 records/s, 600 offered during the spike. */
const COLD: Scenario = {
  capacity: 150,
  shards: 2,
  rate: 200,
  plan: { producers: 1, spikeProducers: 2, baselineS: 2, spikeS: 10, cooldownS: 2 },
  reshards: [],
};
const LATENCY_MS = 20;

interface Sample {
  t: number;
  shards: number;
  perShard: number;
  total: number;
  accepted: number;
}

interface Outcome {
  summary: SpikeSummary;
  model: ThrottlingStreamModel;
  samples: Sample[];
  acceptedPayloads: string[];
}

async function spikeInModel(sc: Scenario, limiter?: ShardRateLimiter): Promise<Outcome> {
  const model = new ThrottlingStreamModel(sc.shards, sc.capacity, LATENCY_MS);
  const samples: Sample[] = [];
  const acceptedPayloads: string[] = [];
  const t0 = Date.now();
  for (const r of sc.reshards) setTimeout(() => model.reshard(r.shards), r.atS * 1000);
  let summary: SpikeSummary | undefined;
  const run = runSpike({
    client: model.client(),
    streamName: 'model',
    plan: planSpike(sc.plan),
    ratePerProducer: sc.rate,
    stats: emptyStats(),
    limiter,
    shardRecordsPerSecond: sc.capacity,
    generator: { seed: 3, users: 500, allowedLatenessMs: 10_000, windowSizeMs: 10_000 },
    statusEveryMs: 250,
    onAccepted: (r) => acceptedPayloads.push(r.data),
    onStatus: (s) =>
      samples.push({
        t: (Date.now() - t0) / 1000,
        shards: model.openShards,
        perShard: s.stats.limit.perShard,
        total: s.stats.limit.total,
        accepted: s.stats.accepted,
      }),
  }).then((s) => (summary = s));
  while (!summary) await vi.advanceTimersByTimeAsync(200);
  await run;
  return { summary, model, samples, acceptedPayloads };
}

/** Accepted records/s between two times (s since the start). */
function acceptedRate(samples: Sample[], from: number, to: number): number {
  const a = samples.find((s) => s.t >= from)!;
  const b = [...samples].reverse().find((s) => s.t <= to)!;
  return (b.accepted - a.accepted) / (b.t - a.t);
}

const between = (samples: Sample[], from: number, to: number) =>
  samples.filter((s) => s.t >= from && s.t <= to);

function expectNothingLostOrRepeated({ summary, model, acceptedPayloads }: Outcome): void {
  const st = summary.stats;
  expect(summary.abandoned).toBe(0);
  expect(st.accepted).toBe(st.generated);
  // What the producers saw acknowledged is exactly what the stream holds, once each.
  const inStream = model.accepted.map((r) => r.data);
  expect(inStream.length).toBe(st.accepted);
  expect(new Set(inStream).size).toBe(inStream.length);
  expect([...acceptedPayloads].sort()).toEqual([...inStream].sort());
  expect(model.resentAfterAccept).toBe(0);
  expect(model.throttled).toBe(st.throttled);
}

describe('KPL-like producers against a throttling stream (virtual time)', () => {
  beforeEach(() => {
    vi.useFakeTimers({
      toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
    });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("the demo's spike: throttled attempts ≤ 25 % of accepted, the limit learns each shard's capacity and rises after each reshard", async () => {
    const out = await spikeInModel(DEMO);
    expectNothingLostOrRepeated(out);
    const st = out.summary.stats;
    expect(st.throttled / st.accepted).toBeLessThanOrEqual(0.25);
    const c = DEMO.capacity;
    // One shard, saturated (2,400 records/s offered): the shard is used to the full and the limit
    // stays near its capacity (the edge's one-second burst lets a little more through at times).
    expect(acceptedRate(out.samples, 10, 15)).toBeGreaterThanOrEqual(0.9 * c);
    for (const s of between(out.samples, 10, 15)) {
      expect(s.perShard).toBeGreaterThanOrEqual(0.6 * c);
      expect(s.perShard).toBeLessThanOrEqual(PRODUCER_CONFIG.limiter.maxRecordsPerSecond);
    }
    // Resharded to 2, then 4: new shards start at the learned level, so the total rises at once.
    for (const s of between(out.samples, 15.5, 21.9))
      expect(s.total).toBeGreaterThanOrEqual(2 * 0.6 * c);
    expect(acceptedRate(out.samples, 16, 22)).toBeGreaterThanOrEqual(1.8 * c);
    for (const s of between(out.samples, 22.5, 33))
      expect(s.total).toBeGreaterThanOrEqual(4 * 0.6 * c);
    expect(out.samples.at(-1)!.shards).toBe(4);
  }, 120_000);

  it('learns a limit far below the default from a cold start (150 records/s shards)', async () => {
    const sc = COLD;
    const out = await spikeInModel(sc);
    expectNothingLostOrRepeated(out);
    const st = out.summary.stats;
    expect(st.throttled).toBeGreaterThan(0);
    expect(st.throttled / st.accepted).toBeLessThanOrEqual(0.25);
    // From 1,000 records/s down to about what a shard takes, within the spike's first seconds.
    for (const s of between(out.samples, 5, 12)) {
      expect(s.perShard).toBeGreaterThanOrEqual(0.5 * sc.capacity);
      expect(s.perShard).toBeLessThanOrEqual(1.6 * sc.capacity);
    }
    expect(acceptedRate(out.samples, 5, 12)).toBeGreaterThanOrEqual(0.9 * sc.shards * sc.capacity);
  }, 120_000);

  it('without a learned limit the same spike hammers the stream (the model discriminates)', async () => {
    const unlimited = 1e9;
    // Short: without a limit every throttled record is a timer of its own, and fake timers pay each one.
    const sc: Scenario = {
      ...COLD,
      plan: { producers: 1, spikeProducers: 2, baselineS: 1, spikeS: 3, cooldownS: 1 },
    };
    const limited = await spikeInModel(sc);
    const out = await spikeInModel(
      sc,
      new ShardRateLimiter({
        ...PRODUCER_CONFIG.limiter,
        initialRecordsPerSecond: unlimited,
        minRecordsPerSecond: unlimited,
        maxRecordsPerSecond: unlimited,
      }),
    );
    expectNothingLostOrRepeated(out);
    const ratio = (o: Outcome) => o.summary.stats.throttled / o.summary.stats.accepted;
    expect(ratio(limited)).toBeLessThanOrEqual(0.25);
    expect(ratio(out)).toBeGreaterThan(1);
  }, 120_000);
});
