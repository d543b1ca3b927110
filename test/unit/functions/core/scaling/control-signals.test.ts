/**
 * Cheap signals (functions/core/scaling/control-signals.ts) and the policy
 * over them: rates from the running totals producers and consumers write to
 * the control table, differenced against the scaler's own snapshots; demand
 * measured directly from what producers generated, so a self-pacing
 * producer's spike is seen in full although the stream throttles little.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../../../functions/config';
import {
  consumerSignals,
  keepSnapshots,
  producersSeenAt,
  signalsFromSnapshots,
  type ControlSnapshot,
  type ProducerCounters,
  type ShardCounters,
} from '../../../../../functions/core/scaling/control-signals';
import {
  decide,
  initialMemory,
  policyConfigFrom,
} from '../../../../../functions/core/scaling/policy';
import type { ScalingCurrent } from '../../../../../functions/core/scaling/types';

const config = policyConfigFrom(DEFAULT_CONFIG);
const WINDOW = DEFAULT_CONFIG.scaler.signalWindowSeconds;
const T0 = Date.UTC(2026, 11, 2, 3, 0, 0);
const s = (sec: number) => T0 + sec * 1000;

const producer = (p: Partial<ProducerCounters> & { at: number }): ProducerCounters => ({
  startedAt: T0,
  generated: 0,
  accepted: 0,
  acceptedBytes: 0,
  throttled: 0,
  retried: 0,
  pending: 0,
  ...p,
});
const shard = (c: Partial<ShardCounters> & { lastSeenAt: number }): ShardCounters => ({
  processedRecords: 0,
  busyMs: 0,
  lastIteratorAgeMs: 100,
  lastBatchPartial: true,
  ...c,
});
const snap = (
  at: number,
  producers: Record<string, ProducerCounters>,
  shards: Record<string, ShardCounters> = {},
): ControlSnapshot => ({ at, producers, shards });
const current = (openShards: number, c: Partial<ScalingCurrent> = {}): ScalingCurrent => ({
  openShards,
  parallelization: 1,
  streamUpdating: false,
  mappingUpdating: false,
  ...c,
});

describe('signals from control-table snapshots', () => {
  it('producer rates are exact over the producer’s own clock, whatever the scaler’s read times', () => {
    // heartbeat at +8 s and +18 s; the scaler read at +9 s and +20 s
    const before = snap(s(9), {
      a: producer({ at: s(8), generated: 4_800, accepted: 4_800, acceptedBytes: 4_800 * 250 }),
    });
    const now = snap(s(20), {
      a: producer({ at: s(18), generated: 28_800, accepted: 14_800, acceptedBytes: 14_800 * 250 }),
    });
    const sig = signalsFromSnapshots([before], now, WINDOW)!;
    expect(sig.recent!.offeredRecordsPerSecond).toBe(2_400); // 24,000 in 10 s
    expect(sig.recent!.incomingRecordsPerSecond).toBe(1_000);
    expect(sig.incomingBytesPerSecond).toBe(250_000);
  });

  it('a restarted producer counts from its new start; a silent one offers nothing; pending is summed', () => {
    const before = snap(s(0), {
      a: producer({ at: s(0), generated: 50_000 }),
      gone: producer({ at: s(-60), generated: 9_000 }),
    });
    const now = snap(s(10), {
      a: producer({ startedAt: s(5), at: s(10), generated: 3_000, pending: 700 }),
      gone: producer({ at: s(-60), generated: 9_000, pending: 5_000 }),
      b: producer({ startedAt: s(0), at: s(10), generated: 6_000, pending: 300 }),
    });
    const sig = signalsFromSnapshots([before], now, WINDOW)!;
    expect(sig.offeredRecordsPerSecond).toBe(600 + 600); // a: 3,000 in 5 s; b: 6,000 in 10 s
    expect(sig.producerPendingRecords).toBe(1_000);
  });

  it('no live producer: undefined (the caller measures input elsewhere)', () => {
    const now = snap(s(100), { gone: producer({ at: s(0), generated: 9_000 }) });
    expect(signalsFromSnapshots([], now, WINDOW)).toBeUndefined();
  });

  it('consumer rates from shard totals; iterator age is the largest last-batch age written within the window', () => {
    const p = (at: number, n: number) => ({ a: producer({ at, generated: n, accepted: n }) });
    const before = snap(s(0), p(s(0), 0), {
      'shard-0': shard({ lastSeenAt: s(0), processedRecords: 1_000, busyMs: 2_000 }),
    });
    const now = snap(s(20), p(s(20), 20_000), {
      'shard-0': shard({
        lastSeenAt: s(14),
        processedRecords: 11_000,
        busyMs: 12_000,
        lastIteratorAgeMs: 3_000,
        lastBatchPartial: false,
      }),
      'shard-1': shard({ lastSeenAt: s(19), processedRecords: 10_000, busyMs: 8_000 }),
    });
    const sig = signalsFromSnapshots([before], now, WINDOW)!;
    expect(sig.processedRecordsPerSecond).toBe(1_000); // 20,000 in 20 s
    expect(sig.busyLanes).toBe(0.9); // 18 s busy in 20 s
    expect(sig.iteratorAgeMs).toBe(3_000);
  });

  it('records went in but no lane reported: the backlog is at least the span old', () => {
    const x = { x: shard({ lastSeenAt: s(-100) }) };
    const before = snap(s(0), { a: producer({ at: s(0) }) }, x);
    const mid = snap(s(10), { a: producer({ at: s(10), generated: 1_000, accepted: 1_000 }) }, x);
    const now = snap(s(20), { a: producer({ at: s(20), generated: 2_000, accepted: 2_000 }) }, x);
    const sig = signalsFromSnapshots([before, mid], now, WINDOW)!;
    expect(sig.iteratorAgeMs).toBe(20_000);
    expect(sig.sources.iteratorAge).toMatch(/no consumer batch/);
  });

  it('a record that went in just before the decision does not make a caught-up consumer stuck', () => {
    // the autoscaling test's quiet period: 4 s window, 2 s ticks, a record now and then
    const x = { x: shard({ lastSeenAt: s(-1), lastIteratorAgeMs: 300, processedRecords: 50 }) };
    const p = (at: number, accepted: number) => ({
      a: producer({ at, generated: accepted, accepted }),
    });
    const hist = [
      snap(s(0), p(s(0), 50), x),
      snap(s(2), p(s(2), 50), x),
      snap(s(4), p(s(4), 50), x),
    ];
    const now = snap(s(6), p(s(5.5), 51), x); // one record at +5.5 s, not read yet
    const sig = signalsFromSnapshots(hist, now, 4)!;
    expect(sig.processedRecordsPerSecond).toBe(0);
    expect(sig.iteratorAgeMs).toBe(0); // was 6,000: the span, as if the consumer were stuck
    expect(sig.sources.iteratorAge).toBe('control table');
  });

  it('producers that just stopped offer nothing: zero input from the control table, not the fallback', () => {
    const before = snap(s(0), { a: producer({ at: s(0), generated: 50_000, accepted: 50_000 }) });
    // the producer deleted its item when it stopped
    const gone = snap(s(5), {}, { x: shard({ lastSeenAt: s(1), lastIteratorAgeMs: 900 }) });
    const seen = producersSeenAt(undefined, before, WINDOW);
    expect(seen).toBe(s(0));
    expect(producersSeenAt(seen, gone, WINDOW)).toBe(s(0)); // kept until producers report again
    const sig = signalsFromSnapshots([before], gone, WINDOW, {
      seenAt: seen,
      horizonSeconds: 180,
    })!;
    expect(sig.incomingRecordsPerSecond).toBe(0);
    expect(sig.offeredRecordsPerSecond).toBe(0);
    expect(sig.recent!.offeredRecordsPerSecond).toBe(0);
    expect(sig.iteratorAgeMs).toBe(900); // the consumers' own last batch, not a stuck consumer
    // beyond the horizon the stream's metrics no longer hold their traffic: the fallback again
    const later = snap(s(181), {});
    expect(
      signalsFromSnapshots([gone], later, WINDOW, { seenAt: seen, horizonSeconds: 180 }),
    ).toBeUndefined();
  });

  it('input measured over other periods makes a silent consumer stuck only if it went in after the last batch', () => {
    const before = snap(s(0), {}, { x: shard({ lastSeenAt: s(-30), lastIteratorAgeMs: 800 }) });
    const now = snap(s(25), {}, { x: shard({ lastSeenAt: s(-30), lastIteratorAgeMs: 800 }) });
    // the fallback's minute datapoint began before the consumers' last batch: they read it all
    const idle = consumerSignals([before], now, WINDOW, 238, s(-60));
    expect(idle.iteratorAgeMs).toBe(0); // its shard items are older than the window: nothing to read
    expect(idle.ageSource).toBe('control table');
    // records went in (a datapoint starting after the last batch) and nothing was read: stuck
    const stuck = consumerSignals([before], now, WINDOW, 238, s(-20));
    expect(stuck.iteratorAgeMs).toBe(25_000);
    expect(stuck.ageSource).toMatch(/no consumer batch/);
  });

  it('keeps the snapshots the next window reaches, plus one older', () => {
    const hist = [-40, -25, -15, -5].map((t) => snap(s(t), {}));
    const kept = keepSnapshots(hist, snap(s(0), {}), WINDOW).map((x) => (x.at - T0) / 1000);
    expect(kept).toEqual([-25, -15, -5, 0]);
  });
});

describe('the policy over cheap signals', () => {
  // A self-pacing producer in a 4× spike: 2,400 rec/s generated, 1,000 accepted,
  // almost no throttling (its limiter holds the rest back).
  const spike = (pending: number) =>
    signalsFromSnapshots(
      [snap(s(0), { a: producer({ at: s(0) }) })],
      snap(s(5), {
        a: producer({ at: s(5), generated: 12_000, accepted: 5_000, throttled: 50, pending }),
      }),
      WINDOW,
    )!;

  it('sizes for the demand the producers generated, not the little the stream throttled', () => {
    const out = decide(
      { signals: spike(0), current: current(1), memory: initialMemory(config), nowMs: s(5) },
      config,
    );
    // 2,400 / (1,000 × 0.7) = 3.4 → 4; one call may only double
    expect(out.decision.desiredShards).toBe(4);
    expect(out.decision.actions).toContainEqual({ kind: 'UpdateShardCount', from: 1, to: 2 });
  });

  it('held-back records add to what must get in within the drain time', () => {
    // 2,400 + 30,000 / 30 s = 3,400 rec/s → 3,400 / 700 = 4.9 → 5
    const out = decide(
      { signals: spike(30_000), current: current(1), memory: initialMemory(config), nowMs: s(5) },
      config,
    );
    expect(out.decision.desiredShards).toBe(5);
  });

  it('demand the producers measured needs no cooldown: a spike seen growing goes 2 → 4 at the next decision', () => {
    // first decision 2.7 s into the spike: 1,157 rec/s → 2 shards (not cut by the ×2 limit)
    const early = signalsFromSnapshots(
      [snap(s(0), { a: producer({ at: s(0) }) })],
      snap(s(5), { a: producer({ at: s(5), generated: 5_785, accepted: 4_185 }) }),
      WINDOW,
    )!;
    const first = decide(
      { signals: early, current: current(1), memory: initialMemory(config), nowMs: s(5) },
      config,
    );
    expect(first.decision.actions).toContainEqual({ kind: 'UpdateShardCount', from: 1, to: 2 });
    // 5 s later (inside the 10 s cooldown), the full spike: 2,400 / 700 = 3.4 → 4
    const next = decide(
      { signals: spike(0), current: current(2), memory: first.memory, nowMs: s(10) },
      config,
    );
    expect(next.decision.actions).toContainEqual({ kind: 'UpdateShardCount', from: 2, to: 4 });
  });

  it('a step cut by the ×2 limit continues once the stream is ACTIVE, without the cooldown', () => {
    const first = decide(
      { signals: spike(0), current: current(1), memory: initialMemory(config), nowMs: s(5) },
      config,
    );
    const updating = decide(
      {
        signals: spike(0),
        current: current(1, { streamUpdating: true }),
        memory: first.memory,
        nowMs: s(7),
      },
      config,
    );
    expect(updating.decision.actions.filter((a) => a.kind === 'UpdateShardCount')).toEqual([]);
    // 3 s after the first call, well inside the 10 s scale-out cooldown
    const next = decide(
      { signals: spike(0), current: current(2), memory: updating.memory, nowMs: s(8) },
      config,
    );
    expect(next.decision.actions).toContainEqual({ kind: 'UpdateShardCount', from: 2, to: 4 });
  });
});
