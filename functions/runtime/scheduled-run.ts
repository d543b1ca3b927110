/**
 * The scheduled-run loop shared by the closer and the scaler. EventBridge
 * schedules are at least a minute apart on AWS, so one invocation ticks every
 * `tickMs` on a fixed grid from its start until its period is over — or
 * until its function would time out, or a newer run has taken over (the
 * caller's tick says so), so overlapping or sped-up schedules never pile up.
 */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface ScheduledRun {
  startedAt: number;
  tickMs: number;
  /** No tick starts at or after this (epoch ms). */
  untilMs: number;
  clock: Clock;
}

/** What one tick found: whether it did its work, and whether a newer run has taken over. */
export interface TickOutcome {
  ran: boolean;
  superseded: boolean;
}

export interface RunResult {
  ticks: number;
  stoppedBecause: 'period over' | 'newer run';
}

/**
 * The end of a run: its period, or earlier so the last tick has a tick's time
 * to finish before the function times out.
 */
export function runDeadline(
  startedAt: number,
  periodMs: number,
  tickMs: number,
  remainingMs: number | undefined,
): number {
  const periodEnd = startedAt + periodMs;
  return remainingMs === undefined
    ? periodEnd
    : Math.min(periodEnd, startedAt + remainingMs - tickMs);
}

export async function runScheduled(
  run: ScheduledRun,
  tick: (nowMs: number) => Promise<TickOutcome>,
): Promise<RunResult> {
  let ticks = 0;
  for (let k = 0; ; k++) {
    const at = run.startedAt + k * run.tickMs;
    if (at >= run.untilMs) return { ticks, stoppedBecause: 'period over' };
    const wait = at - run.clock.now();
    if (wait > 0) await run.clock.sleep(wait);
    const outcome = await tick(run.clock.now());
    if (outcome.ran) ticks += 1;
    if (outcome.superseded) return { ticks, stoppedBecause: 'newer run' };
  }
}
