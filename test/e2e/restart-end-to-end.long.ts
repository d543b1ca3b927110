/**
 * Persistence end to end (issue 12): the embedded cloud with a data dir and
 * the real stack deployed on it, a spike stopped half way — producers
 * paused at the height of the spike, the cloud stopped at once as SIGTERM
 * stops it, with the consumer's batches in flight and windows open — then a
 * new cloud on the same data dir and port, which must carry on from what it
 * kept: the stack, the stream and its records, the tables, the functions,
 * the mappings with their shard checkpoints and batches in flight, the
 * schedules. The spike finishes against it and, once settled, finals + late
 * records equal the offline recomputation from the --record log of both
 * halves: nothing lost, nothing counted twice across the restart.
 *
 * `npm run test:restart` (not part of npm test: a few minutes on a loaded machine).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
import { recompute } from './offline-recompute';
import { SYNTH_TIMEOUT_MS } from '../support/synth-cache';
import { startPipeline, type Pipeline } from './pipeline-harness';
import { canonical, diff, pipelineResults } from './results-compare';

// The spike end-to-end test's configuration, so both deploy one synthesized assembly.
const WINDOW_MS = 5_000;
const LATENESS_MS = 4_000;
const IDLE_MS = 3_000;
const SETTLE_MS = 5 * (WINDOW_MS + LATENESS_MS + IDLE_MS);
const RATE = 150;
/** The spike's first half: baseline, then half the spike; the cloud stops there. */
const FIRST: SpikeShape = {
  producers: 1,
  spikeProducers: 2,
  baselineS: 3,
  spikeS: 4,
  cooldownS: 0,
};
/** The second half, on the restarted cloud: the rest of the spike and the cooldown. */
const SECOND: SpikeShape = {
  producers: 1,
  spikeProducers: 2,
  baselineS: 0,
  spikeS: 4,
  cooldownS: 3,
};
const planMs = (s: SpikeShape) => (s.baselineS + s.spikeS + s.cooldownS) * 1000;

let p: Pipeline;
let dataDir: string;
let logPath: string;
let first: SpikeSummary;
let second: SpikeSummary;
let settled: SettleResult;
let accountedAtStop = 0;

async function produce(shape: SpikeShape, seed: number, log: RecordLog): Promise<SpikeSummary> {
  let maxValid = -Infinity;
  const summary = await runSpike({
    client: p.producerKinesis,
    streamName: resourceNames(p.config.prefix).stream,
    plan: planSpike(shape),
    ratePerProducer: RATE,
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
      if (g.kind === 'valid') maxValid = Math.max(maxValid, JSON.parse(g.data).timestamp * 1000);
    },
  });
  lastValidEventMs = Math.max(lastValidEventMs, maxValid);
  return summary;
}
let lastValidEventMs = -Infinity;

beforeAll(
  async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'streamscale-restart-'));
    p = await startPipeline({
      config: {
        prefix: 'sse2e',
        windowing: {
          windowSizeMs: WINDOW_MS,
          allowedLatenessMs: LATENESS_MS,
          idleTimeoutMs: IDLE_MS,
        },
        consumer: { parallelizationFactor: 2 },
        scaler: { minParallelization: 2, maxParallelization: 2 },
      },
      speedup: 30,
      shardRecordsPerSecond: 250,
      dataDir,
    });
    logPath = join(p.dir, 'records.jsonl');
    const log = new RecordLog(logPath);
    const names = resourceNames(p.config.prefix);
    const note = (what: string) => process.env.E2E_TIMING && console.log(`${what} ${Date.now()}`);
    note('deployed');
    first = await produce(FIRST, 2026, log);
    note('first half produced');
    await p.restart();
    note('restarted');
    // What the consumer had accounted for when the cloud stopped (read from the restored tables).
    accountedAtStop = recordsAccountedFor(await snapshotTables(p.clients.dynamo, names));
    second = await produce(SECOND, 2027, log);
    note('second half produced');
    await log.close();
    const accepted = first.stats.accepted + second.stats.accepted;
    settled = await waitUntilSettled({
      client: p.clients.dynamo,
      names,
      accepted,
      lastWindowEndMs: Math.floor(lastValidEventMs / WINDOW_MS) * WINDOW_MS + WINDOW_MS,
      timeoutMs: SETTLE_MS,
      pollMs: 1_000,
      onProgress: (x) => process.env.E2E_TIMING && console.log(JSON.stringify(x)),
    });
    if (process.env.E2E_TIMING)
      console.log(
        JSON.stringify({
          accepted,
          first: first.stats.accepted,
          accountedAtStop,
          settled: settled.drained && settled.closed,
        }),
      );
  },
  SYNTH_TIMEOUT_MS + planMs(FIRST) + planMs(SECOND) + SETTLE_MS + 60_000,
);

afterAll(async () => {
  if (process.env.E2E_LOG_FILE) writeFileSync(process.env.E2E_LOG_FILE, p.logs.join('\n'));
  await p?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('a spike across a stop and a restart of the cloud on its data dir', () => {
  it('produced both halves in full, the second against the restarted cloud', () => {
    for (const s of [first, second]) {
      expect(s.abandoned).toBe(0);
      expect(s.stats.accepted).toBe(s.stats.generated);
      expect(s.stats.accepted).toBeGreaterThan(500);
    }
  });

  it('restarted with part of the first half still to be processed', () => {
    // Stopped mid-way: the first half was not all processed yet, so the restart had work to resume.
    expect(accountedAtStop).toBeLessThan(first.stats.accepted);
  });

  it('drained the stream and closed the last windows after the restart', () => {
    const why = `closedThrough ${settled.snapshot.global?.closedThrough}\n${p.logs.slice(-30).join('\n')}`;
    expect(settled.drained, why).toBe(true);
    expect(settled.closed, why).toBe(true);
  });

  it('finals + late records equal the offline recomputation, each record once', () => {
    const lines = readRecordLog(logPath);
    expect(lines.length).toBe(first.stats.accepted + second.stats.accepted);
    const expected = recompute(lines, p.config, Date.now());
    const got = pipelineResults(settled.snapshot);
    const a = canonical(got.byWindow);
    const b = canonical(expected.byWindow);
    expect(diff(a, b)).toEqual({ onlyInPipeline: [], onlyExpected: [] });
    expect(a).toEqual(b);
    expect(got.finalRecords + got.lateRecords).toBe(expected.valid);
    expect(settled.snapshot.rejects.length).toBe(expected.rejects.size);
  });
});
