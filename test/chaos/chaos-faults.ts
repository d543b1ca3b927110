/**
 * Striking a chaos run's faults: DynamoDB ones through the fault proxy (on
 * the functions' clock: from their first call), Kinesis ones — a throttling
 * storm, poison records, duplicates — with the producers' client of the
 * cloud now, deferred while a killed cloud is down.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { PutRecordsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import type { StreamscaleConfig } from '../../functions/config';
import type { RecordLog, RecordLogLine } from '../../producer/record-log';
import { planSpike } from '../../producer/spike-plan';
import { runSpike } from '../../producer/spike-runner';
import { CHAOS, generatorOf } from './chaos-settings';
import type { DynamoFaultProxy, ProxyMode } from './dynamodb-fault-proxy';
import { putPoison } from './poison-records';
import type { Fault } from './schedule';

export interface Striking {
  proxy: DynamoFaultProxy;
  /** the producers' client of the cloud now (a new one after a kill) */
  client: KinesisClient;
  /** resolves while the cloud answers; a new promise from a kill until it answers again */
  up: Promise<void>;
  /** aborted by a kill: what Kinesis-side faults were doing ends with the cloud */
  cloudGone: AbortController;
  stream: string;
  log: RecordLog;
  /** the last records accepted (what a duplicates fault puts again) */
  recent: RecordLogLine[];
  config: StreamscaleConfig;
  seed: number;
  /** what the faults started that must end before settling */
  pending: Promise<unknown>[];
  struckByKind: Record<string, number>;
  /** what happened to a fault besides striking (a kill cut it short) */
  notes: string[];
  /** faults that failed otherwise: the run fails */
  failures: string[];
}

const PROXY_MODE: Partial<Record<Fault['kind'], ProxyMode>> = {
  'dynamodb-outage': 'outage',
  'function-crash': 'crash',
  'dynamodb-throttle': 'throttle',
};

export const accepted = (s: Striking) => (r: RecordLogLine) => {
  s.log.write(r);
  s.recent.push(r);
  if (s.recent.length > CHAOS.duplicates) s.recent.shift();
};

/** Records already accepted, put again with the same key and data: new sequence numbers. */
async function putDuplicates(s: Striking): Promise<void> {
  const again = [...s.recent];
  if (again.length === 0) return;
  const answer = await s.client.send(
    new PutRecordsCommand({
      StreamName: s.stream,
      Records: again.map((r) => ({
        Data: Buffer.from(r.data, 'utf8'),
        PartitionKey: r.partitionKey,
      })),
    }),
  );
  answer.Records?.forEach((r, i) => {
    if (r.SequenceNumber)
      s.log.write({ ...again[i]!, shardId: r.ShardId!, sequenceNumber: r.SequenceNumber });
  });
}

function strikeKinesis(f: Fault, s: Striking, index: number): Promise<unknown> {
  if (f.kind === 'poison') return putPoison(s.client, s.stream, s.log);
  if (f.kind === 'duplicates') return putDuplicates(s);
  return runSpike({
    client: s.client,
    streamName: s.stream,
    plan: planSpike({
      producers: CHAOS.storm.producers,
      spikeProducers: 0,
      baselineS: f.durationMs / 1000,
      spikeS: 0,
      cooldownS: 0,
    }),
    ratePerProducer: CHAOS.storm.ratePerProducer,
    generator: generatorOf(s.seed * 100 + index, s.config),
    signal: s.cloudGone.signal,
    onAccepted: accepted(s),
  });
}

/**
 * A DynamoDB fault for its duration — and on until it has broken a call, so
 * that it is not struck in vain while the functions happen to call nothing
 * (bounded: ten times window + lateness + idle timeout).
 */
async function proxyFault(f: Fault, mode: ProxyMode, s: Striking): Promise<void> {
  const brokenBefore = s.proxy.broken;
  s.proxy.mode = mode;
  await sleep(f.durationMs);
  const w = s.config.windowing;
  const boundAt = Date.now() + 10 * (w.windowSizeMs + w.allowedLatenessMs + w.idleTimeoutMs);
  while (s.proxy.broken === brokenBefore && Date.now() < boundAt) await sleep(100);
  if (s.proxy.mode === mode) s.proxy.mode = 'pass';
}

function strike(f: Fault, s: Striking, index: number): void {
  s.struckByKind[f.kind] = (s.struckByKind[f.kind] ?? 0) + 1;
  const mode = PROXY_MODE[f.kind];
  if (mode) {
    s.pending.push(s.up.then(() => proxyFault(f, mode, s)));
    return;
  }
  // A fault due while the cloud is down strikes once it is back. A Kinesis-side one the kill cuts
  // short (its call reset) is noted, not fatal: its records were never acknowledged.
  const cloud = s.cloudGone.signal;
  s.pending.push(
    s.up
      .then(() => strikeKinesis(f, s, index))
      .catch((err: unknown) => {
        const why = `${f.kind}: ${(err as Error).name}: ${(err as Error).message.split('\n')[0]}`;
        if (cloud.aborted) s.notes.push(`${why} (cut short by the kill)`);
        else s.failures.push(why);
      }),
  );
}

/** Schedules the faults: Kinesis ones on the spike's clock, DynamoDB ones on the functions'. */
export function scheduleFaults(s: Striking, faults: Fault[]): void {
  // On a busy machine the first invocations come long after the spike started; bounded, so
  // functions that never call DynamoDB get their faults anyway (and the run then stalls).
  const w = s.config.windowing;
  const noCallsMs = 10 * (w.windowSizeMs + w.allowedLatenessMs + w.idleTimeoutMs);
  const firstCall = Promise.race([s.proxy.firstCall, sleep(noCallsMs)]);
  faults.forEach((f, i) => {
    const at = () =>
      new Promise<void>((r) =>
        setTimeout(() => {
          strike(f, s, i);
          r();
        }, f.atMs),
      );
    s.pending.push(PROXY_MODE[f.kind] ? firstCall.then(at) : at());
  });
}
