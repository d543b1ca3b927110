/**
 * Window assignment, kept apart from aggregation and from the trigger
 * (closing), as in Flink. Tumbling windows aligned to the epoch.
 */
export interface Window {
  start: number;
  end: number;
}

export interface WindowAssigner {
  /** The window an event time belongs to. */
  assign(eventTimeMs: number): Window;
  readonly sizeMs: number;
}

export function tumblingWindows(sizeMs: number): WindowAssigner {
  if (!(Number.isInteger(sizeMs) && sizeMs > 0))
    throw new Error(`window size must be a positive integer of ms, got ${sizeMs}`);
  return {
    sizeMs,
    assign(t: number): Window {
      const start = Math.floor(t / sizeMs) * sizeMs;
      return { start, end: start + sizeMs };
    },
  };
}

/** Window starts s with from <= s < to, aligned to the size. */
export function windowStartsBetween(fromMs: number, toMs: number, sizeMs: number): number[] {
  const out: number[] = [];
  for (let s = Math.ceil(fromMs / sizeMs) * sizeMs; s < toMs; s += sizeMs) out.push(s);
  return out;
}
