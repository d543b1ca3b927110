/**
 * Scheduled closer runs never pile up: a run that starts while another owns
 * the closer (its lease, renewed every tick, not ending) returns at once
 * without a tick, and takes over only once the owner's lease is ending — its
 * period is over, or it died; the owner then stops before its next tick. Before, every run took over at once, so on a slow machine
 * (a tick outliving the local cloud's two-second schedule) runs accumulated
 * — 23 closers at once in a chaos run, each an execution environment —
 * until the cloud stopped answering. Real ControlStore on dynalite, the
 * closer's run driven by a fake clock.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LEASE_TICKS, runCloser } from '../../../functions/handlers/closer';
import type { TickReport } from '../../../functions/handlers/closer-tick';
import type { Clock } from '../../../functions/runtime/scheduled-run';
import { startDynalite, type Dynalite } from '../../support/dynalite';
import { makePipeline, type Pipeline } from '../../support/pipeline-harness';

const T0 = Date.UTC(2026, 11, 2, 5, 0, 0);

let db: Dynalite;
beforeAll(async () => {
  db = await startDynalite();
});
afterAll(async () => {
  await db.stop();
});

/** A clock whose sleeps pass at once; `onSleep` may act between two ticks. */
function clockAt(start: number, onSleep: () => Promise<void> = async () => {}): Clock {
  let now = start;
  return {
    now: () => now,
    sleep: async (ms) => {
      await onSleep();
      now += ms;
    },
  };
}

function run(p: Pipeline, clock: Clock) {
  const reports: TickReport[] = [];
  const closer = { ...p, lineage: async () => undefined };
  return runCloser(closer, { clock, remainingMs: undefined, onTick: (r) => reports.push(r) });
}

describe('closer runs (dynalite)', () => {
  it('a run started while another owns the closer does no tick; it takes over when the owner ends', async () => {
    const p = await makePipeline(db.endpoint);
    const { scheduleSeconds, tickSeconds } = p.config.closer;
    const periodMs = scheduleSeconds * 1000;
    const tickMs = tickSeconds * 1000;
    // Runs of a schedule firing every 2 s (the local cloud's speed-up) while the owner ticks.
    const later: Array<Awaited<ReturnType<typeof run>>> = [];
    let fired = 0;
    const owner = await run(
      p,
      clockAt(T0, async () => {
        fired += 1;
        if (fired <= 3) later.push(await run(p, clockAt(T0 + fired * 2_000)));
      }),
    );
    expect(later.map((r) => r.stoppedBecause)).toEqual([
      'owner running',
      'owner running',
      'owner running',
    ]);
    expect(later.every((r) => r.ticks === 0)).toBe(true);
    expect(owner).toMatchObject({ ticks: periodMs / tickMs, stoppedBecause: 'period over' });
    const global = await p.control.readGlobal();
    expect(global.closerRunStartedAt).toBe(T0);

    // Within a tick of the owner's last tick, the next run takes over and runs its period.
    const next = await run(p, clockAt(T0 + periodMs - tickMs));
    expect(next).toMatchObject({ ticks: periodMs / tickMs, stoppedBecause: 'period over' });
    expect((await p.control.readGlobal()).closerRunStartedAt).toBe(T0 + periodMs - tickMs);
  });

  it('an owner stops at its next tick once a newer run has taken over', async () => {
    const p = await makePipeline(db.endpoint);
    const periodMs = p.config.closer.scheduleSeconds * 1000;
    let successor: Awaited<ReturnType<typeof run>> | undefined;
    let sleeps = 0;
    const owner = await run(
      p,
      clockAt(T0, async () => {
        // the owner is stuck past its last tick: a successor's claim succeeds
        if (++sleeps === 2) successor = await run(p, clockAt(T0 + periodMs));
      }),
    );
    expect(successor).toMatchObject({ stoppedBecause: 'period over' });
    // before its third tick it finds its lease taken
    expect(owner).toMatchObject({ ticks: 2, stoppedBecause: 'newer run' });
  });

  it('a dead owner blocks its successors only for its lease', async () => {
    const p = await makePipeline(db.endpoint);
    const tickMs = p.config.closer.tickSeconds * 1000;
    const leaseMs = LEASE_TICKS * tickMs;
    // an owner that claimed the closer and died (a killed cloud): it never renews
    const claim = { startedAt: T0, runUntil: T0 + leaseMs, handoverAt: T0 + tickMs };
    expect(await p.control.claimCloserRun(claim)).toBe(true);
    expect(await run(p, clockAt(T0 + 2_000))).toMatchObject({ stoppedBecause: 'owner running' });
    // within a tick of the lease's end, a run takes over
    const next = await run(p, clockAt(T0 + leaseMs - tickMs));
    expect(next).toMatchObject({ stoppedBecause: 'period over' });
    expect(next.ticks).toBeGreaterThan(0);
  });
});
