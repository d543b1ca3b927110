/**
 * Kinesis as an event source: a mapping names a stream ARN, or an
 * enhanced fan-out consumer ARN (read with push-class latency: its shards
 * are polled every fanOutPollMs instead of about once a second), and a
 * starting position; its runner reads the stream through the edge.
 */
import {
  DescribeStreamConsumerCommand,
  DescribeStreamSummaryCommand,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import { invalidParameter } from '../../api/errors';
import type { MappingDefinition, StartingPosition } from '../mapping-definition';
import type { MappingInput } from '../mapping-settings';
import type { EventSourceKind, MappingRunner, RunnerDeps } from '../source-kind';
import { KinesisReader } from './kinesis-reader';
import { isConsumerArn, streamNameOf } from './stream-arn';
import { streamRunner } from './stream-runner';

const POSITIONS: readonly string[] = ['TRIM_HORIZON', 'LATEST', 'AT_TIMESTAMP'];

const errorName = (err: unknown) => (err as { name?: string }).name ?? '';

export class KinesisSource implements EventSourceKind {
  readonly name = 'kinesis' as const;

  constructor(
    private readonly kinesis: KinesisClient,
    private readonly region: string,
    private readonly fanOutPollMs: number,
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
    if (isConsumerArn(def.eventSourceArn)) await this.checkConsumer(def.eventSourceArn);
    else await this.checkStream(def.eventSourceArn);
    def.startingPosition = position as StartingPosition;
    if (i.StartingPositionTimestamp !== undefined)
      def.startingPositionTimestamp = Number(i.StartingPositionTimestamp);
  }

  check(): void {}

  runner(deps: RunnerDeps): MappingRunner {
    const arn = deps.mapping().eventSourceArn;
    const reader = new KinesisReader(this.kinesis, streamNameOf(arn)!);
    const idle = isConsumerArn(arn) ? this.fanOutPollMs : deps.tunables.idlePollMs;
    return streamRunner(deps, reader, this.region, idle);
  }

  close(): void {
    this.kinesis.destroy();
  }

  private async checkStream(arn: string): Promise<void> {
    try {
      await this.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: streamNameOf(arn) }));
    } catch (err) {
      if (errorName(err) === 'ResourceNotFoundException')
        throw invalidParameter(`Stream not found: ${arn}`);
      throw err;
    }
  }

  /** A registered consumer; where the cloud has no consumer API yet, the stream it names. */
  private async checkConsumer(arn: string): Promise<void> {
    try {
      await this.kinesis.send(new DescribeStreamConsumerCommand({ ConsumerARN: arn }));
    } catch (err) {
      if (errorName(err) === 'ResourceNotFoundException')
        throw invalidParameter(`Stream consumer not found: ${arn}`);
      if (errorName(err) !== 'UnknownOperationException') throw err;
      await this.checkStream(arn);
    }
  }
}
