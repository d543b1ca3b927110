/**
 * The demo's live terminal block (pure formatting): what the producers do,
 * what the pipeline does (from CloudWatch and the APIs), and the scaling
 * decisions so far.
 */
export interface LiveSnapshot {
  elapsedS: number;
  phase: string;
  producers: number;
  /** records/s */
  inputRate: number;
  processedRate: number;
  throttledRate: number;
  sent: number;
  accepted: number;
  throttled: number;
  retried: number;
  /** kpl (issue 14): the producers' learned write limit and the stream's capacity (records/s). */
  producerLimit?: { total: number; perShard: number; shards: number; streamCapacity: number };
  shards?: number;
  parallelization?: number;
  /** concurrent consumer invocations (AWS/Lambda ConcurrentExecutions, else shards × PF) */
  concurrency?: number;
  iteratorAgeMs?: number;
  windowsClosed: number;
  alerts: number;
  rejected: number;
  late: number;
  decisions: string[];
}

const n = (v: number | undefined, digits = 0) =>
  v === undefined
    ? '–'
    : v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const bar = (v: number, max: number, width = 24) => {
  const k = max > 0 ? Math.max(0, Math.min(width, Math.round((v / max) * width))) : 0;
  return `${'█'.repeat(k)}${'·'.repeat(width - k)}`;
};

export function liveLines(s: LiveSnapshot, maxRate: number): string[] {
  const lines = [
    `streamscale demo — ${s.elapsedS.toFixed(0)} s, phase ${s.phase}, ${s.producers} producer${s.producers === 1 ? '' : 's'}`,
    `  input     ${bar(s.inputRate, maxRate)} ${n(s.inputRate).padStart(7)} rec/s accepted   (throttled ${n(s.throttledRate)} rec/s)`,
    `  processed ${bar(s.processedRate, maxRate)} ${n(s.processedRate).padStart(7)} rec/s`,
    `  producers sent ${n(s.sent)}  accepted ${n(s.accepted)}  throttled ${n(s.throttled)}  retried ${n(s.retried)}` +
      // kpl (issue 14): the producers' own limit next to the stream's capacity.
      (s.producerLimit && s.producerLimit.shards > 0
        ? `  limit ${n(s.producerLimit.total)} rec/s (${n(s.producerLimit.perShard)}/shard) of capacity ${n(s.producerLimit.streamCapacity)}`
        : ''),
    `  shards ${n(s.shards)}  parallelization ${n(s.parallelization)}  consumer concurrency ${n(s.concurrency)}  iterator age ${s.iteratorAgeMs === undefined ? '–' : `${(s.iteratorAgeMs / 1000).toFixed(1)} s`}`,
    `  windows closed ${n(s.windowsClosed)}  crash alerts ${n(s.alerts)}  rejected ${n(s.rejected)}  late ${n(s.late)}`,
    `  scaling: ${s.decisions.length === 0 ? 'no decision yet' : s.decisions[s.decisions.length - 1]}`,
  ];
  return lines;
}
