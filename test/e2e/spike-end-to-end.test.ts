/**
 * End to end: the embedded cloud on a free port with the real stack deployed
 * (cdk synth + deploy:local), a short spike that throttles the single shard
 * (1 producer, +2 during the spike, 150 rec/s each against 250 rec/s per
 * shard) with malformed, late and out-of-order records — stopped in the
 * middle: at the height of the spike the producers pause and the cloud is
 * stopped at once (as SIGTERM stops it: consumer batches in flight, windows
 * open) and started again on the same --data-dir and port, without a new
 * deploy, and the spike finishes against it. Once the stream has drained
 * and the last windows closed, finals + late records equal an offline
 * recomputation from the --record log of both halves for both queries
 * (twice: with the pipeline's own pure cores, and with the independent test
 * oracle of test/support/oracle.ts), the rejects are exactly the malformed
 * records, and nothing is missing or counted twice across the restart. The
 * comparison is checked to notice one dropped or one doubled record (the
 * mutation checks at the end). The restart costs the suite a few seconds
 * (docs/local-cloud-persistence.md, "Proof").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { holdLoadLock, LOAD_LOCK_WAIT_MS } from '../support/machine-lock';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EMULATORS } from '../../localcloud/config';
import { resourceNames } from '../../functions/config';
import { readRecordLog, RecordLog } from '../../producer/record-log';
import { planSpike, type SpikeShape } from '../../producer/spike-plan';
import { runSpike, type SpikeSummary } from '../../producer/spike-runner';
import {
  recordsAccountedFor,
  snapshotTables,
  waitUntilSettled,
  type SettleResult,
} from '../../tools/demo/pipeline-settle';
import {
  compare as oracleCompare,
  readActual,
  recompute as oracleRecompute,
} from '../support/oracle';
import { recompute } from './offline-recompute';
import { SYNTH_TIMEOUT_MS } from '../support/synth-cache';
import {
  SPIKE_CLOUD,
  SPIKE_LATENESS_MS,
  SPIKE_SETTLE_MS,
  SPIKE_STACK,
  SPIKE_WINDOW_MS,
} from '../support/spike-stack';
import { startPipeline, type Pipeline } from './pipeline-harness';
import { canonical, diff, pipelineResults } from './results-compare';

const WINDOW_MS = SPIKE_WINDOW_MS;
const LATENESS_MS = SPIKE_LATENESS_MS;
const SETTLE_MS = SPIKE_SETTLE_MS;
/** The spike's first half: the baseline and half the spike; the cloud stops there. */
const FIRST: SpikeShape = {
  producers: 1,
  spikeProducers: 2,
  baselineS: 5,
  spikeS: 6,
  cooldownS: 0,
};
/** The second half, against the restarted cloud: the rest of the spike and the cooldown. */
const SECOND: SpikeShape = { ...FIRST, baselineS: 0, cooldownS: 5 };
const planMs = (s: SpikeShape) => (s.baselineS + s.spikeS + s.cooldownS) * 1000;
/** A cloud start on a loaded machine (emulator threads, functions restored): the hook's bound. */
const RESTART_BOUND_MS = EMULATORS.startTimeoutMs;

let p: Pipeline;
let dataDir: string;
let halves: SpikeSummary[] = [];
let settled: SettleResult;
const malformedKeys = new Set<string>();
let logPath: string;
let maxValidEventMs = -Infinity;
/** what the consumer had accounted for when the cloud stopped (read from the restored tables) */
let accountedAtStop = 0;

/** Both halves' counts added up. */
function total(): { stats: SpikeSummary['stats']; abandoned: number } {
  const stats = { ...halves[0]!.stats };
  for (const h of halves.slice(1))
    for (const k of Object.keys(stats) as Array<keyof typeof stats>)
      if (typeof stats[k] === 'number' && typeof h.stats[k] === 'number')
        (stats[k] as number) += h.stats[k] as number;
  return { stats, abandoned: halves.reduce((a, h) => a + h.abandoned, 0) };
}

async function produce(shape: SpikeShape, seed: number, log: RecordLog): Promise<SpikeSummary> {
  return runSpike({
    client: p.producerKinesis,
    streamName: resourceNames(p.config.prefix).stream,
    plan: planSpike(shape),
    ratePerProducer: 150,
    generator: {
      seed,
      users: 300,
      lateFraction: 0.03,
      malformedFraction: 0.03,
      outOfOrderS: 3,
      allowedLatenessMs: LATENESS_MS,
      windowSizeMs: WINDOW_MS,
      futureSkewMs: p.config.windowing.maxFutureSkewMs * 4,
    },
    onAccepted: (r, g) => {
      log.write(r);
      if (g.kind === 'malformed') malformedKeys.add(`${r.shardId}#${r.sequenceNumber}`);
      if (g.kind === 'valid')
        maxValidEventMs = Math.max(maxValidEventMs, JSON.parse(g.data).timestamp * 1000);
    },
  });
}

let releaseLoadLock: (() => void) | undefined;

beforeAll(
  async () => {
    releaseLoadLock = await holdLoadLock();
    dataDir = mkdtempSync(join(tmpdir(), 'streamscale-e2e-data-'));
    p = await startPipeline({ config: SPIKE_STACK, ...SPIKE_CLOUD, dataDir });
    const timing = (what: string) => process.env.E2E_TIMING && console.log(what);
    const tDeployed = Date.now();
    timing(`synth ${p.synthMs} ms, deploy ${p.deployMs} ms`);
    logPath = join(p.dir, 'records.jsonl');
    const log = new RecordLog(logPath);
    const names = resourceNames(p.config.prefix);
    halves = [await produce(FIRST, 2026, log)];
    const tStop = Date.now();
    await p.restart();
    timing(`first half ${tStop - tDeployed} ms, restart ${Date.now() - tStop} ms`);
    accountedAtStop = recordsAccountedFor(await snapshotTables(p.clients.dynamo, names));
    halves.push(await produce(SECOND, 2027, log));
    await log.close();
    const accepted = total().stats.accepted;
    timing(
      `spike ${Date.now() - tDeployed} ms; at the stop ${accountedAtStop} of ${halves[0]!.stats.accepted} accounted for`,
    );
    settled = await waitUntilSettled({
      client: p.clients.dynamo,
      names,
      accepted,
      lastWindowEndMs: Math.floor(maxValidEventMs / WINDOW_MS) * WINDOW_MS + WINDOW_MS,
      timeoutMs: SETTLE_MS,
      pollMs: 1_000,
      onProgress: (x) => timing(JSON.stringify({ ...x, accepted })),
    });
  },
  LOAD_LOCK_WAIT_MS +
    SYNTH_TIMEOUT_MS +
    planMs(FIRST) +
    RESTART_BOUND_MS +
    planMs(SECOND) +
    SETTLE_MS +
    60_000,
);

afterAll(async () => {
  await p?.stop();
  releaseLoadLock?.();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('a short spike end to end on the embedded cloud, restarted in the middle', () => {
  it('throttled the shard, retried, and got every record in, both halves', () => {
    const { stats: st, abandoned } = total();
    expect(abandoned).toBe(0);
    for (const h of halves) expect(h.stats.accepted).toBeGreaterThan(0);
    expect(st.accepted).toBe(st.generated);
    expect(st.accepted).toBeGreaterThan(2_000);
    expect(st.throttled).toBeGreaterThan(0);
    expect(st.malformed).toBeGreaterThan(20);
    expect(st.late).toBeGreaterThan(20);
  });

  it('drained the stream and closed the last windows', () => {
    const why = `accounted for ${settled.snapshot.partials.reduce((a, x) => a + Number(x.records), 0)} + ${settled.snapshot.rejects.length} of ${total().stats.accepted}; closedThrough ${settled.snapshot.global?.closedThrough}\n${p.logs.slice(-30).join('\n')}`;
    expect(settled.drained, why).toBe(true);
    expect(settled.closed, why).toBe(true);
  });

  it('finals + late records equal the offline recomputation for both queries, each record once', () => {
    const lines = readRecordLog(logPath);
    expect(lines.length).toBe(total().stats.accepted);
    const expected = recompute(lines, p.config, Date.now());
    const got = pipelineResults(settled.snapshot);
    if (process.env.E2E_TIMING)
      console.log(
        `final records ${got.finalRecords}, late records ${got.lateRecords}, finals ${settled.snapshot.finals.length}, partials ${settled.snapshot.partials.length}`,
      );
    const a = canonical(got.byWindow);
    const b = canonical(expected.byWindow);
    expect(diff(a, b)).toEqual({ onlyInPipeline: [], onlyExpected: [] });
    expect(a).toEqual(b);
    // Nothing missing, nothing double: every valid record is in exactly one final or late partial.
    expect(got.finalRecords + got.lateRecords).toBe(expected.valid);
    // The late path was really taken (records older than the lateness arrived after their window closed).
    expect(got.lateRecords).toBeGreaterThan(0);
    // A partial is merged into at most one final, and no final includes a partial twice.
    const included = settled.snapshot.finals.flatMap((f) =>
      Array.from(f.included as Iterable<string>).map((sk) => `${f.windowStart}/${sk}`),
    );
    expect(new Set(included).size).toBe(included.length);
  });

  it('matches the independent oracle (its own parsing and aggregation) over the --record log', async () => {
    const lines = readRecordLog(logPath);
    const expected = oracleRecompute(lines, {
      windowSizeMs: WINDOW_MS,
      futureLimitMs: Date.now() + p.config.windowing.maxFutureSkewMs,
    });
    const actual = await readActual(p.clients.dynamo, p.config.prefix);
    expect(oracleCompare(expected, actual)).toEqual([]);
    expect(actual.finalRecords + actual.lateRecords).toBe(expected.valid);
    expect(
      new Set(expected.rejected.map((i) => `${lines[i]!.shardId}#${lines[i]!.sequenceNumber}`)),
    ).toEqual(malformedKeys);
    expect(actual.rejects.length).toBe(expected.rejected.length);
  });

  it('rejected exactly the malformed records', () => {
    const expected = recompute(readRecordLog(logPath), p.config, Date.now());
    const rejected = settled.snapshot.rejects.map((r) => `${r.shardId}#${r.sequenceNumber}`);
    expect(rejected.length).toBe(malformedKeys.size);
    expect(new Set(rejected)).toEqual(malformedKeys);
    expect(new Set(expected.rejects.keys())).toEqual(malformedKeys);
    for (const r of settled.snapshot.rejects)
      expect(r.reason).toBe(expected.rejects.get(`${r.shardId}#${r.sequenceNumber}`));
  });

  it('would notice one record dropped or counted twice', () => {
    const lines = readRecordLog(logPath);
    const got = canonical(pipelineResults(settled.snapshot).byWindow);
    const validIndex = lines.findIndex((l) => recompute([l], p.config, Date.now()).valid === 1);
    const dropped = lines.filter((_, i) => i !== validIndex);
    const doubled = [...lines, lines[validIndex]!];
    expect(canonical(recompute(dropped, p.config, Date.now()).byWindow)).not.toEqual(got);
    expect(canonical(recompute(doubled, p.config, Date.now()).byWindow)).not.toEqual(got);
  });
});
