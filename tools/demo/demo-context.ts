/**
 * What the demo's steps share: the run's context (profile, config, clients,
 * signals) and the state the spike, the live view and the report read and
 * write as the run goes on.
 */
import type {
  cloudWatchClient,
  dynamoClient,
  kinesisClient,
  lambdaClient,
} from '../../functions/aws/clients';
import type { StreamscaleConfig } from '../../functions/config';
import { emptyStats, type ProducerStats } from '../../producer/producer-stats';
import type { SpikeStatus } from '../../producer/spike-runner';
import type { Interrupt } from '../cli-kit/interrupt';
import type { StateSample } from './pipeline-observer';
import type { DemoProfile } from './profiles';

/** Metric period of the live view, the run metrics and the charts. */
export const PERIOD_S = 5;
export const out = (line = '') => process.stdout.write(`${line}\n`);

export interface DemoClients {
  kinesis: ReturnType<typeof kinesisClient>;
  cloudwatch: ReturnType<typeof cloudWatchClient>;
  dynamo: ReturnType<typeof dynamoClient>;
  lambda: ReturnType<typeof lambdaClient>;
}

export interface DemoContext {
  profile: DemoProfile;
  config: StreamscaleConfig;
  runDir: string;
  endpoint: string;
  clients: DemoClients;
  interrupt: Interrupt;
  started: Date;
}

/** Mutable state of one run, shared by the spike (writer) and the live view (reader). */
export interface RunState {
  t0: number;
  stats: ProducerStats;
  states: StateSample[];
  minEventMs: number;
  maxValidEventMs: number;
  spikeStatus?: SpikeStatus;
  phase: string;
  alerts: number;
}

export function newRunState(): RunState {
  return {
    t0: Date.now(),
    stats: emptyStats(),
    states: [],
    minEventMs: Infinity,
    maxValidEventMs: -Infinity,
    phase: 'starting',
    alerts: 0,
  };
}
