/**
 * Kinesis as an event source: a mapping names a stream ARN and a starting
 * position; its runner is a MappingRuntime reading the stream through the
 * edge (as Lambda's pollers use the Kinesis API), and a batch given up on
 * goes to the on-failure destination as AWS's invocation record.
 */
import { randomUUID } from 'node:crypto';
import { DescribeStreamSummaryCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { invalidParameter } from '../../api/errors';
import type { InvokeOutcome } from '../../runtime/execution-pool';
import type { MappingDefinition, StartingPosition } from '../mapping-definition';
import type { MappingInput } from '../mapping-settings';
import type { EventSourceKind, MappingRunner, RunnerDeps } from '../source-kind';
import { passesFilter } from '../filter/filter-criteria';
import { failureRecord, kinesisFilterView } from './kinesis-event';
import { MappingRuntime } from './mapping-runtime';
import type { FailureCondition } from './retry-policy';
import type { ShardRecord } from './shard-record';
import { streamNameOf } from './stream-arn';

const POSITIONS: readonly string[] = ['TRIM_HORIZON', 'LATEST', 'AT_TIMESTAMP'];

export class KinesisSource implements EventSourceKind {
  readonly name = 'kinesis' as const;

  constructor(
    private readonly kinesis: KinesisClient,
    private readonly region: string,
  ) {}

  serves(arn: string): boolean {
    return streamNameOf(arn) !== undefined;
  }

  async prepare(i: MappingInput, def: MappingDefinition): Promise<void> {
    const position = String(i.StartingPosition ?? '');
    if (!POSITIONS.includes(position))
      throw invalidParameter(
        'StartingPosition is required for a Kinesis event source: TRIM_HORIZON, LATEST or AT_TIMESTAMP',
      );
    if (position === 'AT_TIMESTAMP' && i.StartingPositionTimestamp === undefined)
      throw invalidParameter(
        'StartingPositionTimestamp is required with StartingPosition AT_TIMESTAMP',
      );
    try {
      await this.kinesis.send(
        new DescribeStreamSummaryCommand({ StreamName: streamNameOf(def.eventSourceArn) }),
      );
    } catch (err) {
      if ((err as { name?: string }).name === 'ResourceNotFoundException')
        throw invalidParameter(`Stream not found: ${def.eventSourceArn}`);
      throw err;
    }
    def.startingPosition = position as StartingPosition;
    if (i.StartingPositionTimestamp !== undefined)
      def.startingPositionTimestamp = Number(i.StartingPositionTimestamp);
  }

  check(): void {}

  runner(deps: RunnerDeps): MappingRunner {
    const streamArn = deps.mapping().eventSourceArn;
    const t = deps.tunables;
    return new MappingRuntime({
      kinesis: this.kinesis,
      streamName: streamNameOf(streamArn)!,
      streamArn,
      region: this.region,
      mapping: deps.mapping,
      role: deps.role,
      invoke: deps.invoke,
      discard: (records, shardId, condition, invokes, last) =>
        this.discard(deps, records, shardId, condition, invokes, last),
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
        return !criteria || passesFilter(criteria, kinesisFilterView(r));
      },
      onBatchStarted: deps.onBatchStarted,
      log: deps.log,
      tunables: {
        idlePollMs: t.idlePollMs,
        activePollMs: t.activePollMs,
        getRecordsLimit: t.getRecordsLimit,
        maxBufferedRecords: t.maxBufferedRecordsPerShard,
        retryBaseMs: t.retryBaseMs,
        retryMaxMs: t.retryMaxMs,
        shardDiscoveryMs: t.shardDiscoveryMs,
      },
    });
  }

  close(): void {
    this.kinesis.destroy();
  }

  private async discard(
    deps: RunnerDeps,
    records: ShardRecord[],
    shardId: string,
    condition: FailureCondition,
    invokes: number,
    last: InvokeOutcome | undefined,
  ): Promise<void> {
    const def = deps.mapping();
    const identity = {
      shardId,
      streamArn: def.eventSourceArn,
      region: this.region,
      invokeIdentityArn: deps.role(),
    };
    const record = failureRecord(records, identity, {
      requestId: last?.requestId ?? randomUUID(),
      functionArn: def.functionArn,
      condition,
      approximateInvokeCount: invokes,
      ...(last && !last.ok ? { functionError: 'Unhandled' } : {}),
      now: new Date(),
    });
    await deps.failures.send({
      functionName: def.functionName,
      destination: def.onFailureDestination,
      record,
      range: `${shardId} ${records[0]!.sequenceNumber}..${records[records.length - 1]!.sequenceNumber} (${records.length} records)`,
      condition,
    });
  }
}
