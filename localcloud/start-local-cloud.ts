/**
 * The whole embedded local cloud: the core (edge + Kinesis + DynamoDB +
 * CloudWatch + SQS) with the Lambda plane (functions, Kinesis event-source
 * runtime) and EventBridge schedules plugged into its edge. Used by
 * `npm run local`, `npm start` and the integration tests.
 */
import {
  AWS_LIMITS,
  DEFAULT_EDGE_PORT,
  DEFAULT_REGION,
  EMULATORS,
  type EmulatorPlacement,
} from './config';
import { textTable } from './deploy/text-table';
import { startCoreCloud, type CoreCloud, type CoreCloudOptions } from './core-cloud';
import { createEventsService } from './events/index';
import { createLambdaService } from './lambda/index';
import { CloudFormationService } from './cloudformation/cloudformation-service';
import { LogsService } from './logs/logs-service';
import { S3Service } from './s3/s3-service';
import { SsmService } from './ssm/ssm-service';
import { StsService } from './sts/sts-service';

export interface LocalCloudOptions {
  /** Edge port on 127.0.0.1; 0 = a free port. Default 4566. */
  port?: number;
  host?: '127.0.0.1';
  region?: string;
  /** Schedules run this many times faster (1 = real time). Default 1. */
  speedup?: number;
  shardRecordsPerSecond?: number;
  shardBytesPerSecond?: number;
  /** Web origins whose pages may call the cloud (see CoreCloudOptions.allowOrigins). */
  allowOrigins?: readonly string[] | '*';
  /** kinesalite and dynalite each in its own worker thread (default) or on the edge's event loop. */
  emulators?: EmulatorPlacement;
  /** DynamoDB enforces AWS's per-partition-key throughput (see CoreCloudOptions). */
  dynamodbPartitionLimits?: CoreCloudOptions['dynamodbPartitionLimits'];
  /** CloudFormation refuses templates with resource types it does not emulate (instead of warning). */
  strictDeploy?: boolean;
  /** Keep every service's state in this directory across a stop and a start (default: memory). */
  dataDir?: string;
  /** One line from a part of the cloud (source = service or function name). */
  log?: (source: string, line: string) => void;
}

/** One row of "what runs where". */
export interface ServiceRow {
  service: string;
  signingName: string;
  backedBy: string;
}

export interface LocalCloud {
  endpoint: string;
  region: string;
  speedup: number;
  /** where the state is kept; undefined = in memory */
  dataDir?: string;
  core: CoreCloud;
  services: ServiceRow[];
  /** The environment a client needs to use this cloud. */
  clientEnv: Record<string, string>;
  stop(): Promise<void>;
}

export async function startLocalCloud(opts: LocalCloudOptions = {}): Promise<LocalCloud> {
  const speedup = opts.speedup ?? 1;
  if (!(Number.isFinite(speedup) && speedup >= 1))
    throw new Error(`speedup must be a number >= 1 (got ${opts.speedup})`);
  const records = opts.shardRecordsPerSecond ?? AWS_LIMITS.kinesis.shardRecordsPerSecond;
  const bytes = opts.shardBytesPerSecond ?? AWS_LIMITS.kinesis.shardBytesPerSecond;
  const region = opts.region ?? DEFAULT_REGION;
  // The cloud's own SDK clients (the event-source runtime reads Kinesis and
  // writes SQS through the edge) need credentials; the edge accepts any.
  if (!process.env.AWS_ACCESS_KEY_ID && !process.env.AWS_PROFILE) {
    process.env.AWS_ACCESS_KEY_ID = 'test';
    process.env.AWS_SECRET_ACCESS_KEY = 'test';
  }
  const core = await startCoreCloud({
    port: opts.port ?? DEFAULT_EDGE_PORT,
    host: opts.host ?? '127.0.0.1',
    region,
    shardRecordsPerSecond: records,
    shardBytesPerSecond: bytes,
    allowOrigins: opts.allowOrigins,
    emulators: opts.emulators,
    dynamodbPartitionLimits: opts.dynamodbPartitionLimits,
    dataDir: opts.dataDir,
    log: opts.log,
  });
  try {
    plugServices(core, opts, speedup);
  } catch (err) {
    await core.stop();
    throw err;
  }

  const services = serviceRows(opts, speedup, records, bytes);
  return {
    endpoint: core.endpoint,
    region,
    speedup,
    dataDir: opts.dataDir,
    core,
    services,
    clientEnv: clientEnvironment(core.endpoint, region),
    stop: () => core.stop(),
  };
}

/** The services beyond the core, plugged into its edge; their persistence then starts. */
function plugServices(core: CoreCloud, opts: LocalCloudOptions, speedup: number): void {
  const s3 = new S3Service(core.ctx);
  core.addService(s3);
  core.ctx.objects = s3.store;
  const logs = new LogsService(core.ctx);
  core.addService(logs);
  core.ctx.logs = logs;
  core.addService(new StsService());
  const ssm = new SsmService(core.ctx);
  core.addService(ssm);
  core.addService(new CloudFormationService(core.ctx, ssm.store, { strict: opts.strictDeploy }));
  const lambda = createLambdaService(core.ctx);
  core.addService(lambda);
  core.addService(
    createEventsService(core.ctx, {
      speedup,
      invoke: (target, payload) => lambda.invoke(target, payload),
    }),
  );
  core.startPersistence();
}

/** The environment a client needs to use the cloud at `endpoint`. */
export function clientEnvironment(endpoint: string, region: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: region,
    // The AWS CLI v1 reads the region from this one only ("You must specify a region").
    AWS_DEFAULT_REGION: region,
    // aws-cdk-local refuses AWS_ENDPOINT_URL without it; at the IP endpoint S3 is path style.
    AWS_ENDPOINT_URL_S3: endpoint,
  };
}

/** What runs where, as `describeLocalCloud` prints it: one row per service. */
export function serviceRows(
  opts: Pick<LocalCloudOptions, 'emulators' | 'dataDir'>,
  speedup: number,
  records: number,
  bytes: number,
): ServiceRow[] {
  const where =
    (opts.emulators ?? EMULATORS.placement) === 'threads' ? 'own worker thread' : 'edge thread';
  const storage = opts.dataDir ? 'on disk' : 'in memory';
  return [
    {
      service: 'Kinesis',
      signingName: 'kinesis',
      backedBy: `kinesalite (${storage}, ${where}) + edge: UpdateShardCount, per-shard limits ${records} records/s, ${formatBytes(bytes)}/s`,
    },
    {
      service: 'DynamoDB',
      signingName: 'dynamodb',
      backedBy: `dynalite (${storage}, ${where})`,
    },
    {
      service: 'CloudWatch',
      signingName: 'monitoring',
      backedBy: 'in-process metric store (JSON 1.0 + query protocols), dashboards, alarms',
    },
    { service: 'SQS', signingName: 'sqs', backedBy: 'in-process queues' },
    {
      service: 'Lambda',
      signingName: 'lambda',
      backedBy: 'cdk.out bundles in worker threads; Kinesis event-source runtime',
    },
    {
      service: 'S3',
      signingName: 's3',
      backedBy: 'in-process buckets (path and virtual-host style)',
    },
    {
      service: 'STS',
      signingName: 'sts',
      backedBy: 'caller identity and AssumeRole (credentials not checked)',
    },
    { service: 'SSM', signingName: 'ssm', backedBy: 'in-process Parameter Store' },
    {
      service: 'CloudWatch Logs',
      signingName: 'logs',
      backedBy: 'function output in /aws/lambda/<function>, filter patterns, retention',
    },
    {
      service: 'CloudFormation',
      signingName: 'cloudformation',
      backedBy: 'stacks, change sets, events, rollback over the deploy engine (cdk deploy works)',
    },
    {
      service: 'EventBridge',
      signingName: 'events',
      backedBy:
        speedup === 1
          ? 'in-process schedules (real time)'
          : `in-process schedules, ${speedup}x faster: rate(1 minute) fires every ${round(60 / speedup)} s`,
    },
  ];
}

/** What runs where, and the environment a client needs: printed by `npm run local` and `npm start`. */
export function describeLocalCloud(cloud: LocalCloud): string {
  const env = Object.entries(cloud.clientEnv)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  return [
    `streamscale local cloud — edge ${cloud.endpoint} (loopback only), region ${cloud.region}`,
    '',
    textTable(
      ['service', 'endpoint', 'signing name', 'backed by'],
      cloud.services.map((s) => [s.service, cloud.endpoint, s.signingName, s.backedBy]),
    ),
    '',
    "Clients (AWS SDKs, the AWS CLI, this project's tools) need:",
    `  export ${env}`,
    '',
    'Next, in another terminal: npm run deploy:local   (or, with the variables above: npx cdklocal bootstrap && npx cdklocal deploy)',
    'then npm run spike, npm run query, npm run dashboard',
    cloud.dataDir
      ? `Ctrl-C stops the cloud; its state is kept in ${cloud.dataDir} (start again with the same --data-dir to continue).`
      : 'Ctrl-C stops the cloud; its data lives in memory only (--data-dir DIR keeps it).',
    '',
  ].join('\n');
}

const round = (n: number) => Math.round(n * 100) / 100;

function formatBytes(n: number): string {
  if (n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} B`;
}
