/**
 * One load on the deployed pipeline: `npm run spike`'s producers in their
 * own process (on the same two cores as the cloud) offering a fixed rate for
 * a fixed time, the flow read second by second while they run, then a
 * bounded wait until the consumer has processed every accepted record.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { activeSpan, countBetween, readFlow, total, type FlowSource } from './flow';

export interface LoadSpec {
  /** records/s offered, all producers together */
  rate: number;
  seconds: number;
  producers: number;
  seed: number;
  endpoint: string;
}

export interface LoadResult {
  offered: number;
  accepted: number;
  /** accepted records/s over the run's whole seconds (the first and last, partial, left out) */
  acceptedRate: number;
  /** processed records/s over the second half of the run, producers still running */
  processedRate: number;
  /** accepted but not yet processed when the producers stopped, in seconds of input */
  lagAtEndS: number;
  /** records/s processed from the producers' end until drained (0 if nothing was left) */
  drainRate: number;
  drained: boolean;
  startedAt: number;
  producersEndedAt: number;
  drainedAt: number;
  producerPeakRssMiB: number;
  producerHeapMiB?: number;
  /** 1-minute load average when the producers stopped */
  loadAverage: number;
}

const SAMPLE_MS = 200;
const DRAIN_POLL_MS = 200;

function peakRssKb(pid: number): number {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmHWM:\s+(\d+)/.exec(s)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

async function produce(spec: LoadSpec): Promise<{ output: string; hwmKb: number }> {
  const perProducer = Math.max(1, Math.round(spec.rate / spec.producers));
  const child = spawn(
    process.execPath,
    [
      ...['--import', 'tsx', 'producer/spike-cli.ts'],
      ...['--producers', String(spec.producers), '--spike-producers', '0'],
      ...['--rate', String(perProducer), '--baseline', String(spec.seconds)],
      ...['--spike', '0', '--cooldown', '0', '--seed', String(spec.seed)],
    ],
    { env: { ...process.env, AWS_ENDPOINT_URL: spec.endpoint }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  let hwmKb = 0;
  const sampler = setInterval(() => {
    if (child.pid) hwmKb = Math.max(hwmKb, peakRssKb(child.pid));
  }, SAMPLE_MS);
  const code = await new Promise<number | null>((r) => child.on('close', r));
  clearInterval(sampler);
  if (code !== 0) throw new Error(`producer exited ${code}: ${output.slice(-3000)}`);
  return { output, hwmKb };
}

export async function runLoad(
  src: FlowSource,
  spec: LoadSpec,
  drainTimeoutMs: number,
): Promise<LoadResult> {
  const startedAt = Date.now();
  const { output, hwmKb } = await produce(spec);
  const producersEndedAt = Date.now();
  const loadAverage = loadavg()[0]!;
  const atEnd = readFlow(src, startedAt, producersEndedAt);
  const accepted = total(atEnd.accepted);
  const span = activeSpan(atEnd.accepted);
  let drainedAt = producersEndedAt;
  let processed = total(atEnd.processed);
  while (processed < accepted && Date.now() - producersEndedAt < drainTimeoutMs) {
    await new Promise((r) => setTimeout(r, DRAIN_POLL_MS));
    processed = total(readFlow(src, startedAt).processed);
    drainedAt = Date.now();
  }
  const steady = span && span.lastMs - span.firstMs >= 3_000 ? span : undefined;
  const acceptedRate = steady
    ? countBetween(atEnd.accepted, steady.firstMs + 1_000, steady.lastMs) /
      ((steady.lastMs - steady.firstMs - 1_000) / 1000)
    : 0;
  const mid = steady ? (steady.firstMs + steady.lastMs) / 2 : 0;
  const processedRate = steady
    ? countBetween(atEnd.processed, mid, steady.lastMs) / ((steady.lastMs - mid) / 1000)
    : 0;
  const backlog = accepted - total(atEnd.processed);
  const heap = /heap (\d+(\.\d+)?) MiB/.exec(output)?.[1];
  return {
    offered: spec.rate,
    accepted,
    acceptedRate,
    processedRate,
    lagAtEndS: acceptedRate > 0 ? Math.max(0, backlog) / acceptedRate : Infinity,
    drainRate: backlog > 0 ? backlog / Math.max(0.001, (drainedAt - producersEndedAt) / 1000) : 0,
    drained: processed >= accepted,
    startedAt,
    producersEndedAt,
    drainedAt,
    producerPeakRssMiB: hwmKb / 1024,
    producerHeapMiB: heap ? Number(heap) : undefined,
    loadAverage,
  };
}
