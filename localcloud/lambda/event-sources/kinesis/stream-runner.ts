/**
 * A stream mapping's runner (Kinesis or DynamoDB Streams): the shard runtime
 * over the source's reader, its filter, its IteratorAge metric, and a batch
 * given up on sent to the on-failure destination as AWS's invocation record.
 */
import { randomUUID } from 'node:crypto';
import { passesFilter } from '../filter/filter-criteria';
import type { InvokeOutcome } from '../../runtime/execution-pool';
import type { MappingRunner, RunnerDeps } from '../source-kind';
import { failureRecord } from './kinesis-event';
import { MappingRuntime } from './mapping-runtime';
import type { FailureCondition } from './retry-policy';
import type { ShardRecord } from './shard-record';
import type { StreamReader } from './stream-reader';

export function streamRunner(
  deps: RunnerDeps,
  reader: StreamReader,
  region: string,
  idlePollMs = deps.tunables.idlePollMs,
): MappingRunner {
  const t = deps.tunables;
  return new MappingRuntime(
    {
      reader,
      streamArn: deps.mapping().eventSourceArn,
      region,
      mapping: deps.mapping,
      role: deps.role,
      invoke: deps.invoke,
      discard: (records, shardId, condition, invokes, last) =>
        discard(deps, reader, region, { records, shardId, condition, invokes, last }),
      iteratorAge: (ms) =>
        deps.ctx.metrics.putMetric({
          namespace: 'AWS/Lambda',
          name: 'IteratorAge',
          dimensions: { FunctionName: deps.mapping().functionName },
          value: ms,
          unit: 'Milliseconds',
          timestamp: new Date(),
        }),
      passes: (r) => {
        const criteria = deps.mapping().filterCriteria;
        return !criteria || passesFilter(criteria, reader.filterView(r));
      },
      onBatchStarted: deps.onBatchStarted,
      journal: deps.journal,
      log: deps.log,
      tunables: {
        idlePollMs,
        activePollMs: Math.min(t.activePollMs, idlePollMs),
        getRecordsLimit: t.getRecordsLimit,
        maxBufferedRecords: t.maxBufferedRecordsPerShard,
        retryBaseMs: t.retryBaseMs,
        retryMaxMs: t.retryMaxMs,
        shardDiscoveryMs: t.shardDiscoveryMs,
      },
    },
    deps.restored,
  );
}

interface GivenUp {
  records: ShardRecord[];
  shardId: string;
  condition: FailureCondition;
  invokes: number;
  last: InvokeOutcome | undefined;
}

async function discard(
  deps: RunnerDeps,
  reader: StreamReader,
  region: string,
  b: GivenUp,
): Promise<void> {
  const def = deps.mapping();
  const identity = {
    shardId: b.shardId,
    streamArn: def.eventSourceArn,
    region,
    invokeIdentityArn: deps.role(),
  };
  const record = failureRecord(
    b.records,
    identity,
    {
      requestId: b.last?.requestId ?? randomUUID(),
      functionArn: def.functionArn,
      condition: b.condition,
      approximateInvokeCount: b.invokes,
      ...(b.last && !b.last.ok ? { functionError: 'Unhandled' } : {}),
      now: new Date(),
    },
    reader.batchInfoKey,
  );
  const first = b.records[0]!.sequenceNumber;
  const last = b.records[b.records.length - 1]!.sequenceNumber;
  await deps.failures.send({
    functionName: def.functionName,
    destination: def.onFailureDestination,
    record,
    range: `${b.shardId} ${first}..${last} (${b.records.length} records)`,
    condition: b.condition,
  });
}
