/**
 * Spike progress for a person: on a terminal, one block redrawn in place
 * (tools/cli-kit/live-block.ts, cut to the terminal's width); elsewhere, a
 * plain line every few seconds. The formatting is pure; the renderer owns
 * the stream.
 */
import { LiveBlock, type LiveOutput } from '../tools/cli-kit/live-block';
import type { ProducerStats } from './producer-stats';
import type { SpikeStatus } from './spike-runner';

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** One status line; `rate` is accepted records/s since the previous status. */
export function progressLine(s: SpikeStatus, rate: number): string {
  const t = (s.elapsedMs / 1000).toFixed(0).padStart(4);
  const st = s.stats;
  return `${t}s ${s.phase.padEnd(8)} ${downText(s)}producers ${s.activeProducers}  sent ${fmt(st.sent)}  accepted ${fmt(st.accepted)}  throttled ${fmt(st.throttled)}  retried ${fmt(st.retried)}  pending ${fmt(s.pending)}  rate ${fmt(rate)} rec/s${limitText(st)}`;
}

/** While the endpoint gives no answer, the line says so early on (a narrow terminal cuts the end). */
function downText(s: SpikeStatus): string {
  const ms = s.endpointDownMs ?? 0;
  return ms >= 1_000
    ? `ENDPOINT NOT ANSWERING for ${fmt(ms / 1000)} s (one probe at a time)  `
    : '';
}

// kpl (issue 14): the producers' learned limit next to the stream's capacity.
export function limitText(st: ProducerStats): string {
  const l = st.limit;
  if (!l || l.shards === 0) return '';
  return `  limit ${fmt(l.total)} rec/s (${fmt(l.perShard)}/shard × ${l.shards}; stream capacity ${fmt(l.streamCapacity)})`;
}

export function summaryLines(
  stats: ProducerStats,
  durationMs: number,
  abandoned: number,
): string[] {
  const secs = Math.max(durationMs / 1000, 0.001);
  return [
    `done in ${(durationMs / 1000).toFixed(1)} s: ${fmt(stats.accepted)} records accepted (${fmt(stats.accepted / secs)} rec/s, ${fmt(stats.acceptedBytes / 1024)} KiB)`,
    `  generated ${fmt(stats.generated)} (valid ${fmt(stats.valid)}, late ${fmt(stats.late)}, malformed ${fmt(stats.malformed)})`,
    `  sent ${fmt(stats.sent)} in ${fmt(stats.calls)} PutRecords calls; throttled ${fmt(stats.throttled)}, other failures ${fmt(stats.failed)}, retried ${fmt(stats.retried)}` +
      (abandoned > 0 ? `; ${fmt(abandoned)} never sent (stopped early)` : ''),
  ];
}

export class ProgressRenderer {
  private lastAccepted = 0;
  private lastAt = 0;
  private readonly block: LiveBlock;

  constructor(out: LiveOutput, plainEveryMs = 5_000) {
    this.block = new LiveBlock(out, plainEveryMs);
  }

  get isTTY(): boolean {
    return this.block.isTTY;
  }

  update(s: SpikeStatus, extra: string[] = []): void {
    const dt = (s.elapsedMs - this.lastAt) / 1000;
    const rate = dt > 0 ? (s.stats.accepted - this.lastAccepted) / dt : 0;
    this.lastAccepted = s.stats.accepted;
    this.lastAt = s.elapsedMs;
    this.block.draw([progressLine(s, rate), ...extra], s.elapsedMs);
  }
}
