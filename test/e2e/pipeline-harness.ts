/**
 * The full embedded cloud on a free loopback port with the real stack
 * deployed on it (cdk synth with the given config — once per distinct
 * template, test/support/synth-cache.ts — then deploy:local), for the
 * end-to-end tests and the end-to-end bench.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  cloudWatchClient,
  dynamoClient,
  kinesisClient,
  lambdaClient,
} from '../../functions/aws/clients';
import {
  resolveConfig,
  type ConfigOverrides,
  type StreamscaleConfig,
} from '../../functions/config';
import type { EmulatorPlacement } from '../../localcloud/config';
import { startLocalCloud, type LocalCloud } from '../../localcloud/start-local-cloud';
import { deployLocal, runSynth } from '../../localcloud/deploy/deploy-local';
import type { PipelineClients } from '../../tools/demo/pipeline-observer';
import { synthesizedAssembly } from '../support/synth-cache';

export interface Pipeline {
  cloud: LocalCloud;
  config: StreamscaleConfig;
  clients: PipelineClients;
  /** producer client: the SDK's retries off, ours counted */
  producerKinesis: ReturnType<typeof kinesisClient>;
  dir: string;
  /** the cloud's log lines (function output included), for failure messages */
  logs: string[];
  synthMs: number;
  deployMs: number;
  stop(): Promise<void>;
}

export interface PipelineOptions {
  config: ConfigOverrides;
  speedup: number;
  shardRecordsPerSecond?: number;
  shardBytesPerSecond?: number;
  /** Synthesize even if an assembly for this config is cached (a bench measures the synth). */
  freshSynth?: boolean;
  /** Where kinesalite and dynalite run (the cloud's default: their own worker threads). */
  emulators?: EmulatorPlacement;
}

export async function startPipeline(o: PipelineOptions): Promise<Pipeline> {
  const config = resolveConfig(o.config);
  // The synth (a child process) and the functions read the config from here.
  process.env.STREAMSCALE_CONFIG = JSON.stringify(config);
  delete process.env.STREAMSCALE_PREFIX;
  delete process.env.STREAMSCALE_METRICS_NAMESPACE;
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
  process.env.AWS_REGION = 'us-east-1';
  const dir = mkdtempSync(join(tmpdir(), 'streamscale-e2e-'));
  const logs: string[] = [];
  const cloud = await startLocalCloud({
    port: 0,
    speedup: o.speedup,
    shardRecordsPerSecond: o.shardRecordsPerSecond,
    shardBytesPerSecond: o.shardBytesPerSecond,
    emulators: o.emulators,
    log: (source, line) => {
      if (logs.length < 20_000) logs.push(`${source} | ${line}`);
    },
  });
  try {
    const synthStart = Date.now();
    const cdkOut = o.freshSynth
      ? join(dir, 'cdk.out')
      : await synthesizedAssembly({ STREAMSCALE_CONFIG: JSON.stringify(config) });
    if (o.freshSynth) await runSynth(process.cwd(), cdkOut, () => {});
    const synthMs = Date.now() - synthStart;
    const deployed = await deployLocal({
      endpoint: cloud.endpoint,
      synth: false,
      cdkOut,
      stateDir: join(dir, 'state'),
      log: () => {},
    });
    const endpoint = cloud.endpoint;
    const clients: PipelineClients = {
      cloudwatch: cloudWatchClient({ endpoint, region: 'us-east-1' }),
      dynamo: dynamoClient({ endpoint, region: 'us-east-1' }),
      kinesis: kinesisClient({ endpoint, region: 'us-east-1' }),
      lambda: lambdaClient({ endpoint, region: 'us-east-1' }),
    };
    const producerKinesis = kinesisClient({
      endpoint,
      region: 'us-east-1',
      maxAttempts: 1,
      maxSockets: 128,
    });
    return {
      cloud,
      config,
      clients,
      producerKinesis,
      dir,
      logs,
      synthMs,
      deployMs: deployed.deployMs,
      async stop() {
        for (const c of [...Object.values(clients), producerKinesis]) c.destroy();
        await cloud.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await cloud.stop();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/** p-th percentile (0-100) by nearest rank. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}
