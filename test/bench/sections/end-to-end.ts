/**
 * End to end on the embedded cloud with the real stack deployed: `npm run
 * spike`'s producers (4, one process) and the whole cloud on the same two
 * cores. Three loads on one deployed pipeline (a fixed fleet, so the figures
 * are the pipeline's, not the scaler's):
 *  1. a probe above capacity: what the pipeline processes while producers
 *     run flat out, and how fast it drains once they stop;
 *  2. the maximum sustained rate: offered at the probe's processed rate
 *     (lower by 15 % each time it falls behind), sustained when the run
 *     ends at most MAX_LAG_S seconds of input behind (goal >= 8,000/s);
 *  3. latency at half that rate (not at saturation): event -> provisional
 *     p95 (goal <= 1 s), window end -> final p95 (goal <= lateness + 2 s).
 * The 1-minute load average is reported with each load: the machine may be
 * shared. STREAMSCALE_BENCH_EMULATORS=inline runs kinesalite and dynalite on
 * the edge's event loop (the cloud before issue 14) for a before/after.
 */
import { loadavg } from 'node:os';
import { resourceNames } from '../../../functions/config';
import type { EmulatorPlacement } from '../../../localcloud/config';
import { percentile, startPipeline, type Pipeline } from '../../e2e/pipeline-harness';
import type { FlowSource } from '../end-to-end/flow';
import { latenciesOf } from '../end-to-end/latency';
import { runLoad, type LoadResult } from '../end-to-end/load-run';
import type { BenchFigure } from '../run';

export const name = 'end-to-end';

const PRODUCERS = 4;
/** The producers learn at most 1.5× a shard's limit (KPL-like), so 8 shards can be offered ~12,000/s. */
const SHARDS = 8;
const PROBE_RATE = 12_000;
const RUN_S = 20;
const LATENCY_RUN_S = 30;
const MAX_LAG_S = 2;
const ATTEMPTS = 3;
const STEP_DOWN = 0.85;
const ROUND_TO = 250;
const LATENESS_MS = 3_000;
const DRAIN_TIMEOUT_MS = 60_000;
const CLOSE_TIMEOUT_MS = 30_000;
const GOAL_RATE = 8_000;
const GOAL_PROVISIONAL_MS = 1_000;
const GOAL_FINAL_MS = LATENESS_MS + 2_000;

const progress = (line: string) => process.stderr.write(`  [end-to-end] ${line}\n`);

function placement(): EmulatorPlacement {
  const v = process.env.STREAMSCALE_BENCH_EMULATORS ?? 'threads';
  if (v !== 'threads' && v !== 'inline')
    throw new Error(`STREAMSCALE_BENCH_EMULATORS must be threads or inline (got ${v})`);
  return v;
}

const describe = (r: LoadResult) =>
  `offered ${r.offered}/s: accepted ${Math.round(r.acceptedRate)}/s, processed ${Math.round(r.processedRate)}/s while producing, ${r.lagAtEndS.toFixed(1)} s behind at the end, load ${r.loadAverage.toFixed(1)}`;

/** Offers the probe's processed rate, lower each time the pipeline falls behind; the first rate it keeps up with. */
async function findSustained(
  src: FlowSource,
  endpoint: string,
  probe: LoadResult,
): Promise<LoadResult | undefined> {
  let rate = Math.floor(Math.min(probe.acceptedRate, probe.processedRate) / ROUND_TO) * ROUND_TO;
  for (let i = 0; i < ATTEMPTS && rate > 0; i++) {
    const r = await runLoad(
      src,
      { rate, seconds: RUN_S, producers: PRODUCERS, seed: 20 + i, endpoint },
      DRAIN_TIMEOUT_MS,
    );
    progress(`sustained? ${describe(r)}`);
    if (r.drained && r.lagAtEndS <= MAX_LAG_S) return r;
    rate = Math.floor((rate * STEP_DOWN) / ROUND_TO) * ROUND_TO;
  }
  return undefined;
}

async function deploy(where: EmulatorPlacement): Promise<Pipeline> {
  return startPipeline({
    config: {
      prefix: 'benche2e',
      stream: { initialShards: SHARDS, minShards: SHARDS, maxShards: SHARDS },
      // No batching window: a batch is whatever a poll finds (AWS's standard polling), so latency is the pipeline's.
      consumer: { parallelizationFactor: 1, batchingWindowSeconds: 0 },
      scaler: { minParallelization: 1, maxParallelization: 1 },
      windowing: { windowSizeMs: 5_000, allowedLatenessMs: LATENESS_MS, idleTimeoutMs: 2_000 },
      // A close every second: window end -> final is lateness plus at most a tick.
      closer: { tickSeconds: 1 },
    },
    speedup: 30,
    shardRecordsPerSecond: 1_000_000,
    shardBytesPerSecond: 1024 * 1024 * 1024,
    emulators: where,
  });
}

export async function run(): Promise<BenchFigure[]> {
  const where = placement();
  const p = await deploy(where);
  const names = resourceNames(p.config.prefix);
  const src: FlowSource = {
    metrics: p.cloud.core.metrics,
    stream: names.stream,
    namespace: p.config.metricsNamespace,
    prefix: p.config.prefix,
  };
  const endpoint = p.cloud.endpoint;
  progress(`deployed (emulators: ${where}); load average ${loadavg()[0]!.toFixed(1)}`);
  try {
    const probe = await runLoad(
      src,
      { rate: PROBE_RATE, seconds: RUN_S, producers: PRODUCERS, seed: 11, endpoint },
      DRAIN_TIMEOUT_MS,
    );
    progress(`probe: ${describe(probe)}; drained at ${Math.round(probe.drainRate)}/s`);
    const sustained = await findSustained(src, endpoint, probe);
    const half = Math.round((sustained?.acceptedRate ?? probe.processedRate) / 2);
    const load = await runLoad(
      src,
      { rate: half, seconds: LATENCY_RUN_S, producers: PRODUCERS, seed: 31, endpoint },
      DRAIN_TIMEOUT_MS,
    );
    progress(`half load: ${describe(load)}`);
    const lat = await latenciesOf(p, names, load, CLOSE_TIMEOUT_MS);
    return figures(where, probe, sustained, load, lat);
  } finally {
    await p.stop();
  }
}

function figures(
  where: EmulatorPlacement,
  probe: LoadResult,
  sustained: LoadResult | undefined,
  load: LoadResult,
  lat: Awaited<ReturnType<typeof latenciesOf>>,
): BenchFigure[] {
  const rate = sustained?.acceptedRate ?? 0;
  const p95 = percentile(lat.provisional, 95);
  const f95 = percentile(lat.finals, 95);
  return [
    {
      figure: `emulators on their own threads (1) or inline (0)`,
      value: Number(where === 'threads'),
      unit: '',
    },
    { figure: 'probe: accepted while producing', value: probe.acceptedRate, unit: 'records/s' },
    { figure: 'probe: processed while producing', value: probe.processedRate, unit: 'records/s' },
    { figure: 'probe: drained once producers stopped', value: probe.drainRate, unit: 'records/s' },
    { figure: 'probe: load average (1 min)', value: probe.loadAverage, unit: '' },
    {
      figure: `maximum sustained rate, producers on the same cores (≤ ${MAX_LAG_S} s behind)`,
      value: rate,
      unit: 'records/s',
      goal: `>= ${GOAL_RATE.toLocaleString('en-US')}`,
      met: rate >= GOAL_RATE,
    },
    {
      figure: 'sustained run: load average (1 min)',
      value: sustained?.loadAverage ?? NaN,
      unit: '',
    },
    { figure: 'half load: accepted rate', value: load.acceptedRate, unit: 'records/s' },
    {
      figure: 'half load: event -> provisional p50',
      value: percentile(lat.provisional, 50) / 1000,
      unit: 's',
    },
    {
      figure: 'half load: event -> provisional p95',
      value: p95 / 1000,
      unit: 's',
      goal: `<= ${GOAL_PROVISIONAL_MS / 1000} s`,
      met: p95 <= GOAL_PROVISIONAL_MS,
    },
    {
      figure: 'half load: window end -> final p50',
      value: percentile(lat.finals, 50) / 1000,
      unit: 's',
    },
    {
      figure: `half load: window end -> final p95 (${lat.finals.length} windows)`,
      value: f95 / 1000,
      unit: 's',
      goal: `<= lateness + 2 s = ${GOAL_FINAL_MS / 1000} s`,
      met: lat.closed && f95 <= GOAL_FINAL_MS,
    },
    { figure: 'half load: load average (1 min)', value: load.loadAverage, unit: '' },
    {
      figure: 'producer peak RSS (4 producers, probe)',
      value: probe.producerPeakRssMiB,
      unit: 'MiB',
    },
  ];
}
