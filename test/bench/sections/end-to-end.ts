/**
 * End to end on the embedded cloud with the real stack deployed: `npm run
 * spike` in its own process (4 producers) against 4 shards with the
 * per-shard limits raised, the consumer Lambda and the closer running in the
 * local cloud. Figures:
 *  - sustained throughput: accepted records / time until every one of them is
 *    in a partial item or the rejects table (goal >= 5,000 records/s);
 *  - event -> provisional result: PartialItem.writtenAt − firstArrivalMs, p50/p95 (goal p95 <= 2 s);
 *  - window end -> final: FinalItem.closedAt − windowEnd, p50/p95 (goal p95 <= lateness + 5 s);
 *  - producer memory: peak RSS of the producer process (VmHWM) and its heap.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resourceNames } from '../../../functions/config';
import { percentile, startPipeline } from '../../e2e/pipeline-harness';
import { waitUntilSettled } from '../../../tools/demo/pipeline-settle';
import type { BenchFigure } from '../run';

export const name = 'end-to-end';

const PRODUCERS = 4;
const RATE = 1_600; // per producer: 6,400 rec/s offered
const SECONDS = 10;
const LATENESS_MS = 3_000;

const progress = (line: string) => process.stderr.write(`  [end-to-end] ${line}\n`);

function procStatus(pid: number): { rssKb: number; hwmKb: number } | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)?.[1] ?? 0);
    return { rssKb: kb('VmRSS'), hwmKb: kb('VmHWM') };
  } catch {
    return undefined;
  }
}

export async function run(): Promise<BenchFigure[]> {
  const p = await startPipeline({
    config: {
      prefix: 'benche2e',
      // A fixed fleet (4 shards × PF 2): the figures are the pipeline's, not the scaler's.
      stream: { initialShards: 4, minShards: 4, maxShards: 4 },
      consumer: { parallelizationFactor: 2 },
      scaler: { minParallelization: 2, maxParallelization: 2 },
      windowing: { windowSizeMs: 5_000, allowedLatenessMs: LATENESS_MS, idleTimeoutMs: 2_000 },
    },
    speedup: 30,
    shardRecordsPerSecond: 1_000_000,
    freshSynth: true,
    shardBytesPerSecond: 1024 * 1024 * 1024,
  });
  const names = resourceNames(p.config.prefix);
  progress(
    `deployed (synth ${(p.synthMs / 1000).toFixed(1)} s, deploy ${(p.deployMs / 1000).toFixed(1)} s); producing ${PRODUCERS} × ${RATE} rec/s for ${SECONDS} s`,
  );
  try {
    const records = join(p.dir, 'records.jsonl');
    const t0 = Date.now();
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'producer/spike-cli.ts',
        '--producers',
        String(PRODUCERS),
        '--spike-producers',
        '0',
        '--rate',
        String(RATE),
        '--baseline',
        String(SECONDS),
        '--spike',
        '0',
        '--cooldown',
        '0',
        '--seed',
        '11',
        '--record',
        records,
      ],
      {
        env: { ...process.env, AWS_ENDPOINT_URL: p.cloud.endpoint },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    let peak = { rssKb: 0, hwmKb: 0 };
    const sampler = setInterval(() => {
      const s = child.pid ? procStatus(child.pid) : undefined;
      if (s) peak = { rssKb: Math.max(peak.rssKb, s.rssKb), hwmKb: Math.max(peak.hwmKb, s.hwmKb) };
    }, 200);
    const code = await new Promise<number | null>((r) => child.on('close', r));
    clearInterval(sampler);
    if (code !== 0) throw new Error(`producer exited ${code}: ${output.slice(-500)}`);
    const accepted = readFileSync(records, 'utf8').split('\n').filter(Boolean).length;
    progress(
      `producer done after ${((Date.now() - t0) / 1000).toFixed(1)} s: ${accepted} records accepted; waiting for the pipeline`,
    );

    const producedS = (Date.now() - t0) / 1000;
    // Drained: the first poll at which every accepted record is accounted for; then the last windows close.
    let drainedAt = 0;
    let polls = 0;
    let accountedAtProducerEnd: number | undefined;
    const producerEndAt = Date.now();
    const settled = await waitUntilSettled({
      client: p.clients.dynamo,
      names,
      accepted,
      lastWindowEndMs: Math.ceil(Date.now() / 5_000) * 5_000 - 5_000,
      timeoutMs: 45_000,
      pollMs: 250,
      onProgress: (x) => {
        accountedAtProducerEnd ??= x.accountedFor;
        if (!drainedAt && x.accountedFor >= accepted) drainedAt = Date.now();
        if (polls++ % 8 === 0)
          progress(
            `${x.accountedFor} of ${accepted} accounted for at ${((Date.now() - t0) / 1000).toFixed(1)} s`,
          );
      },
    });
    const provisional = settled.snapshot.partials.map(
      (x) => Number(x.writtenAt) - Number(x.firstArrivalMs),
    );
    const finals = settled.snapshot.finals.map((f) => Number(f.closedAt) - Number(f.windowEnd));
    const throughput = drainedAt ? accepted / ((drainedAt - t0) / 1000) : 0;
    // With the producers (one core) and the cloud sharing two cores, the pipeline also shows what it does alone.
    const catchUp =
      drainedAt && drainedAt > producerEndAt
        ? (accepted - (accountedAtProducerEnd ?? 0)) / ((drainedAt - producerEndAt) / 1000)
        : 0;
    const heap = /heap (\d+(\.\d+)?) MiB/.exec(output)?.[1];
    return [
      { figure: 'records through the pipeline', value: accepted, unit: 'records' },
      {
        figure: 'producer accepted rate (4 producers)',
        value: accepted / producedS,
        unit: 'records/s',
      },
      {
        figure: 'end-to-end sustained throughput',
        value: throughput,
        unit: 'records/s',
        goal: '>= 5,000',
        met: throughput >= 5_000,
      },
      { figure: 'pipeline rate once the producers stopped', value: catchUp, unit: 'records/s' },
      { figure: 'event -> provisional p50', value: percentile(provisional, 50) / 1000, unit: 's' },
      {
        figure: 'event -> provisional p95',
        value: percentile(provisional, 95) / 1000,
        unit: 's',
        goal: '<= 2 s',
        met: percentile(provisional, 95) <= 2_000,
      },
      { figure: 'window end -> final p50', value: percentile(finals, 50) / 1000, unit: 's' },
      {
        figure: 'window end -> final p95',
        value: percentile(finals, 95) / 1000,
        unit: 's',
        goal: `<= lateness + 5 s = ${(LATENESS_MS + 5_000) / 1000} s`,
        met: percentile(finals, 95) <= LATENESS_MS + 5_000,
      },
      { figure: 'producer peak RSS (4 producers)', value: peak.hwmKb / 1024, unit: 'MiB' },
      ...(heap ? [{ figure: 'producer heap at end', value: Number(heap), unit: 'MiB' }] : []),
      { figure: 'synth + deploy', value: (p.synthMs + p.deployMs) / 1000, unit: 's' },
    ];
  } finally {
    await p.stop();
  }
}
