/**
 * The StatePart of a store that keeps its state as one plain-data object
 * (S3, SSM, CloudFormation, CloudWatch Logs, ...): the object is the
 * snapshot, and a restore replaces its fields in place, so every holder of
 * the object sees the restored state.
 */
import type { StatePart } from '../contracts';

export interface PlainStateOptions<S> {
  intervalMs?: number;
  /** Turn a restored state into a live one (times, states an interrupted operation left). */
  afterRestore?: (state: S) => void;
  /** Before each snapshot (e.g. let deferred file deletions through). */
  beforeSnapshot?: () => void;
}

export function plainStatePart<S extends object>(
  name: string,
  state: S,
  opts: PlainStateOptions<S> = {},
): StatePart {
  return {
    name,
    intervalMs: opts.intervalMs,
    snapshot: () => {
      opts.beforeSnapshot?.();
      return state;
    },
    restore: (saved) => {
      if (saved === undefined) return;
      if (saved === null || typeof saved !== 'object' || Array.isArray(saved))
        throw new Error(`${name} state is not an object`);
      for (const k of Object.keys(state)) delete (state as Record<string, unknown>)[k];
      Object.assign(state, saved);
      opts.afterRestore?.(state);
    },
  };
}
