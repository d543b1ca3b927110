/**
 * The scheduled-run loop the closer and the scaler share: ticks on a fixed
 * grid from the run's start, none at or after the deadline, and a stop as
 * soon as a newer run has taken over. Driven by a fake clock.
 */
import { describe, expect, it } from 'vitest';
import { runDeadline, runScheduled, type Clock } from '../../../../functions/runtime/scheduled-run';

function fakeClock(start: number, tickCostMs: number): Clock & { slept: number[] } {
  let now = start;
  const slept: number[] = [];
  return {
    slept,
    now: () => (now += tickCostMs / 2),
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  };
}

describe('scheduled run', () => {
  it('ticks every tickMs from the start until the deadline', async () => {
    const clock = fakeClock(0, 1_000);
    const at: number[] = [];
    const run = await runScheduled(
      { startedAt: 0, tickMs: 5_000, untilMs: runDeadline(0, 60_000, 5_000, undefined), clock },
      async (now) => {
        at.push(now);
        return { ran: true, superseded: false };
      },
    );
    expect(run).toEqual({ ticks: 12, stoppedBecause: 'period over' });
    // each tick starts at or just after its grid point: no drift however long a tick takes
    at.forEach((t, k) => expect(t - k * 5_000).toBeLessThan(5_000));
  });

  it('leaves a tick of room before the function times out', () => {
    expect(runDeadline(1_000, 60_000, 5_000, 30_000)).toBe(26_000);
    expect(runDeadline(1_000, 60_000, 5_000, 600_000)).toBe(61_000);
  });

  it('stops when a newer run has taken over, counting only ticks that ran', async () => {
    let k = 0;
    const run = await runScheduled(
      { startedAt: 0, tickMs: 5_000, untilMs: 60_000, clock: fakeClock(0, 0) },
      async () => {
        k += 1;
        return { ran: k < 3, superseded: k === 3 };
      },
    );
    expect(run).toEqual({ ticks: 2, stoppedBecause: 'newer run' });
  });
});
