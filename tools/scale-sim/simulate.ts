/**
 * The scale simulation: the real consumer (`consumeBatch`) and closer
 * (`closerTick`) in virtual time against the DynamoDB model, fed by
 * simulated Kinesis shards. Each virtual second every shard's records
 * arrive; each shard's lane (Lambda's event source mapping, batch size =
 * the records of one second) polls once a second at its own phase and
 * retries a failed batch whole (up to the shard's 5 reads/s), as Lambda
 * does; the closer ticks every `closer.tickSeconds`. Pure: no I/O.
 */
import type { StreamscaleConfig } from '../../functions/config';
import type { KinesisRecordLike } from '../../functions/core/merge-plan';
import { closerTick, type CloserDeps } from '../../functions/handlers/closer-tick';
import { consumeBatch, type ConsumerDeps } from '../../functions/handlers/consumer';
import { KINESIS_LIMITS, LAMBDA_LIMITS } from './aws-limits';
import { DynamoModel, type ModelStats, type PartitionLimits } from './dynamo-model';
import { checkExact, type ExactnessReport } from './exactness';
import { ControlModel, RejectsModel, WindowsModel } from './store-models';
import { Workload, scaled, type WindowTotals } from './workload';

export interface ScaleOptions {
  shards: number;
  recordsPerShardPerSecond: number;
  trafficSeconds: number;
  seed: number;
  config: StreamscaleConfig;
  limits: PartitionLimits;
  /** latency of one DynamoDB request (single-digit ms) */
  requestLatencyMs: number;
  /** the consumer's CPU per record in a Lambda environment (the pure path at a fraction of a core) */
  consumerMsPerRecord: number;
  lateFraction: number;
  malformedFraction: number;
  /** called after each virtual second (progress output) */
  onSecond?: (second: number, stats: ModelStats) => void;
}

export interface SimulationResult {
  options: ScaleOptions;
  stats: ModelStats;
  exactness: ExactnessReport;
  records: number;
  rejects: number;
  /** longest closer tick, virtual ms */
  maxCloseMs: number;
  /** most consumer and closer invocations running at once */
  lambdaConcurrency: number;
  /** batches refused (throttled or failed) and retried */
  retriedBatches: number;
  /** closer ticks that failed (and were retried by the next tick) */
  closerFailures: number;
  /** shards that still had records waiting when the simulation stopped */
  backloggedShards: number;
  windowsClosed: number;
  /** Kinesis: peak bytes written to one shard in one second, GetRecords per shard per second */
  shardBytesPerSecond: number;
  shardReadsPerSecond: number;
  virtualSeconds: number;
}

const TABLES = { windows: 'windows', control: 'control', rejects: 'rejects' };
/** 2026-01-01T00:00:00Z: virtual time starts on a window boundary */
const T0 = 1_767_225_600_000;
const SEQ_DIGITS = 56;

const shardIdOf = (i: number) => `shardId-${String(i).padStart(12, '0')}`;
const sequence = (n: number) => `49${String(n).padStart(SEQ_DIGITS - 2, '0')}`;

interface Invocation {
  startMs: number;
  endMs: number;
}

/** Most intervals overlapping at once. */
function peakOverlap(xs: readonly Invocation[]): number {
  const edges = xs.flatMap((x) => [
    [x.startMs, 1],
    [x.endMs, -1],
  ]) as Array<[number, number]>;
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let peak = 0;
  for (const [, d] of edges) peak = Math.max(peak, (now += d));
  return peak;
}

class ShardLane {
  readonly queue: KinesisRecordLike[][] = [];
  private next = 0;
  constructor(readonly shardId: string) {}

  enqueue(data: readonly Uint8Array[], arrivalMs: readonly number[]): void {
    this.queue.push(
      data.map((d, i) => ({
        shardId: this.shardId,
        sequenceNumber: sequence(this.next++),
        partitionKey: `pk-${i}`,
        data: d,
        arrivalMs: arrivalMs[i] as number,
      })),
    );
  }
}

/** The simulation's parts and its running counters. */
interface Sim {
  o: ScaleOptions;
  model: DynamoModel;
  consumers: ConsumerDeps[];
  closer: CloserDeps;
  workload: Workload;
  lanes: ShardLane[];
  invocations: Invocation[];
  tickMs: number;
  maxCloseMs: number;
  retriedBatches: number;
  closerFailures: number;
  windowsClosed: number;
  shardBytesPerSecond: number;
  shardReadsPerSecond: number;
}

function setUp(o: ScaleOptions): Sim {
  const model = new DynamoModel(o.limits, o.requestLatencyMs);
  const windows = new WindowsModel(model, TABLES.windows);
  const control = new ControlModel(model, TABLES.control);
  const rejects = new RejectsModel(model, TABLES.rejects);
  // One execution environment per lane: each keeps its own cached cursor.
  const consumers: ConsumerDeps[] = Array.from({ length: o.shards }, () => ({
    config: o.config,
    windows,
    control,
    rejects,
  }));
  const closer: CloserDeps = { config: o.config, windows, control, lineage: async () => undefined };
  const workload = new Workload({
    seed: o.seed,
    recordsPerShardPerSecond: o.recordsPerShardPerSecond,
    lateFraction: o.lateFraction,
    malformedFraction: o.malformedFraction,
    allowedLatenessMs: o.config.windowing.allowedLatenessMs,
    windowSizeMs: o.config.windowing.windowSizeMs,
  });
  return {
    o,
    model,
    consumers,
    closer,
    workload,
    lanes: Array.from({ length: o.shards }, (_, i) => new ShardLane(shardIdOf(i))),
    invocations: [],
    tickMs: o.config.closer.tickSeconds * 1000,
    maxCloseMs: 0,
    retriedBatches: 0,
    closerFailures: 0,
    windowsClosed: 0,
    shardBytesPerSecond: 0,
    shardReadsPerSecond: 0,
  };
}

async function closerStep(sim: Sim, secondStart: number): Promise<void> {
  const { model } = sim;
  model.nowMs = secondStart;
  model.busyMs = 0;
  // A failed tick (throttled) is retried by the next one, as the scheduled closer's are.
  const report = await closerTick(sim.closer, secondStart).catch(() => undefined);
  if (!report) sim.closerFailures += 1;
  sim.windowsClosed += report?.closed.length ?? 0;
  sim.maxCloseMs = Math.max(sim.maxCloseMs, model.busyMs);
  sim.invocations.push({ startMs: secondStart, endMs: secondStart + model.busyMs });
}

/** Each lane polls once a second at its own phase (after its second's records arrived). */
async function pollLanes(sim: Sim, secondStart: number): Promise<void> {
  const { model, lanes } = sim;
  for (let i = 0; i < lanes.length; i++) {
    const lane = lanes[i] as ShardLane;
    let at = secondStart + 1000 + Math.floor((i * 1000) / lanes.length);
    let reads = 0;
    while (lane.queue.length > 0 && reads < KINESIS_LIMITS.readsPerShardPerSecond) {
      reads += 1;
      const batch = lane.queue[0] as KinesisRecordLike[];
      model.nowMs = at;
      model.busyMs = batch.length * sim.o.consumerMsPerRecord;
      try {
        await consumeBatch(sim.consumers[i] as ConsumerDeps, batch, at);
        lane.queue.shift();
      } catch {
        sim.retriedBatches += 1;
      }
      sim.invocations.push({ startMs: at, endMs: at + model.busyMs });
      at += Math.ceil(model.busyMs);
      if (at >= secondStart + 2000) break;
    }
    sim.shardReadsPerSecond = Math.max(sim.shardReadsPerSecond, reads);
  }
}

/** Traffic over, every lane empty and no window left open. */
function drained(sim: Sim, s: number): boolean {
  if (s < sim.o.trafficSeconds || !sim.lanes.every((l) => l.queue.length === 0)) return false;
  if (!(sim.windowsClosed > 0)) return false;
  return !sim.model
    .scan(TABLES.control)
    .some((c) => (c.openWindows as Set<number> | undefined)?.size);
}

function result(sim: Sim, s: number): SimulationResult {
  const { o, model } = sim;
  const expected = new Map<number, WindowTotals>();
  for (const [start, t] of sim.workload.perShard) expected.set(start, scaled(t, o.shards));
  return {
    options: o,
    stats: model.stats,
    exactness: checkExact(model.scan(TABLES.windows), expected),
    records: o.shards * o.recordsPerShardPerSecond * o.trafficSeconds,
    rejects: model.scan(TABLES.rejects).length,
    maxCloseMs: sim.maxCloseMs,
    lambdaConcurrency: peakOverlap(sim.invocations),
    retriedBatches: sim.retriedBatches,
    closerFailures: sim.closerFailures,
    backloggedShards: sim.lanes.filter((l) => l.queue.length > 0).length,
    windowsClosed: sim.windowsClosed,
    shardBytesPerSecond: sim.shardBytesPerSecond,
    shardReadsPerSecond: sim.shardReadsPerSecond,
    virtualSeconds: s,
  };
}

export async function simulate(o: ScaleOptions): Promise<SimulationResult> {
  const sim = setUp(o);
  const w = o.config.windowing;
  // Long enough for the last window to close after the shards go idle.
  const drainSeconds = Math.ceil(
    (w.idleTimeoutMs + w.allowedLatenessMs + w.windowSizeMs + 2 * sim.tickMs) / 1000,
  );
  let s = 0;
  for (; s < o.trafficSeconds + drainSeconds; s++) {
    const secondStart = T0 + s * 1000;
    if (s < o.trafficSeconds) {
      const pool = sim.workload.second(secondStart);
      sim.shardBytesPerSecond = Math.max(sim.shardBytesPerSecond, pool.bytes);
      for (const lane of sim.lanes) lane.enqueue(pool.data, pool.arrivalMs);
    }
    if ((s * 1000) % sim.tickMs === 0) await closerStep(sim, secondStart);
    await pollLanes(sim, secondStart);
    o.onSecond?.(s, sim.model.stats);
    if (drained(sim, s)) break;
  }
  return result(sim, s);
}

export { KINESIS_LIMITS, LAMBDA_LIMITS };
