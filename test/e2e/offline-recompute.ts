/**
 * The offline recomputation of both queries from a `--record` log, with the
 * pipeline's own pure cores (schema, windows, partial aggregation): what the
 * finals plus the late records must add up to. Malformed records are the
 * expected rejects, keyed shardId#sequenceNumber.
 */
import type { StreamscaleConfig } from '../../functions/config';
import { decodeRecord } from '../../functions/core/event-schema';
import { addEvent, emptyAggregates } from '../../functions/core/partials';
import { tumblingWindows } from '../../functions/core/windows';
import type { RecordLogLine } from '../../producer/record-log';
import type { ByWindow } from './results-compare';

export interface Recomputed {
  byWindow: ByWindow;
  valid: number;
  rejects: Map<string, string>;
}

/** `nowMs`: a time after every record arrived (only the far-future check uses it; the generator's are hours ahead). */
export function recompute(
  lines: RecordLogLine[],
  config: StreamscaleConfig,
  nowMs: number,
): Recomputed {
  const windows = tumblingWindows(config.windowing.windowSizeMs);
  const byWindow: ByWindow = new Map();
  const rejects = new Map<string, string>();
  let valid = 0;
  for (const l of lines) {
    const d = decodeRecord(l.data, nowMs, { maxFutureSkewMs: config.windowing.maxFutureSkewMs });
    if (!d.ok) {
      rejects.set(`${l.shardId}#${l.sequenceNumber}`, d.reason);
      continue;
    }
    valid++;
    const start = windows.assign(d.event.eventTimeMs).start;
    let agg = byWindow.get(start);
    if (!agg) byWindow.set(start, (agg = emptyAggregates()));
    addEvent(agg, d.event);
  }
  return { byWindow, valid, rejects };
}
