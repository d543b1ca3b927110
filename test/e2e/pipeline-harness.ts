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
  /**
   * Stops the cloud (as SIGTERM does) and starts a new one on the same port and data dir; the
   * clients are made anew. Only with `dataDir`: what was deployed and produced must survive.
   */
  restart(): Promise<void>;
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
  /** The cloud keeps its state here (--data-dir), so restart() continues where it stopped. */
  dataDir?: string;
}

function pipelineClients(endpoint: string): {
  clients: PipelineClients;
  producerKinesis: ReturnType<typeof kinesisClient>;
} {
  return {
    clients: {
      cloudwatch: cloudWatchClient({ endpoint, region: 'us-east-1' }),
      dynamo: dynamoClient({ endpoint, region: 'us-east-1' }),
      kinesis: kinesisClient({ endpoint, region: 'us-east-1' }),
      lambda: lambdaClient({ endpoint, region: 'us-east-1' }),
    },
    producerKinesis: kinesisClient({
      endpoint,
      region: 'us-east-1',
      maxAttempts: 1,
      maxSockets: 128,
    }),
  };
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
  const openCloud = (port: number) =>
    startLocalCloud({
      port,
      speedup: o.speedup,
      shardRecordsPerSecond: o.shardRecordsPerSecond,
      shardBytesPerSecond: o.shardBytesPerSecond,
      emulators: o.emulators,
      dataDir: o.dataDir,
      log: (source, line) => {
        if (logs.length < 20_000) logs.push(`${source} | ${line}`);
      },
    });
  const cloud = await openCloud(0);
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
    const { clients, producerKinesis } = pipelineClients(cloud.endpoint);
    const destroyClients = (q: Pipeline) => {
      for (const c of [...Object.values(q.clients), q.producerKinesis]) c.destroy();
    };
    const pipeline: Pipeline = {
      cloud,
      config,
      clients,
      producerKinesis,
      dir,
      logs,
      synthMs,
      deployMs: deployed.deployMs,
      async restart() {
        if (!o.dataDir) throw new Error('restart() needs a dataDir');
        destroyClients(this);
        await this.cloud.stop();
        this.cloud = await openCloud(Number(new URL(this.cloud.endpoint).port));
        Object.assign(this, pipelineClients(this.cloud.endpoint));
      },
      async stop() {
        destroyClients(this);
        await this.cloud.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
    return pipeline;
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
