/**
 * A DynamoDB stream as an event source: a mapping names the stream ARN
 * (a table's LatestStreamArn) and TRIM_HORIZON or LATEST; it runs on the
 * same shard runtime as Kinesis (batching, ParallelizationFactor, bisect,
 * partial-batch responses, retries, on-failure destination with
 * DDBStreamBatchInfo).
 */
import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
} from '@aws-sdk/client-dynamodb-streams';
import { invalidParameter } from '../../api/errors';
import type { MappingDefinition, StartingPosition } from '../mapping-definition';
import type { MappingInput } from '../mapping-settings';
import type { EventSourceKind, MappingRunner, RunnerDeps } from '../source-kind';
import { streamRunner } from '../kinesis/stream-runner';
import { DynamoDbStreamReader } from './dynamodb-reader';

const STREAM_ARN = /^arn:aws[a-z-]*:dynamodb:[^:]*:[^:]*:table\/[^/]+\/stream\/.+$/;
/** DynamoDB streams keep 24 hours: a batch's records expire then at the latest. */
const MAX_BATCH = 10_000;

export class DynamoDbStreamSource implements EventSourceKind {
  readonly name = 'dynamodb' as const;

  constructor(
    private readonly client: DynamoDBStreamsClient,
    private readonly region: string,
  ) {}

  serves(arn: string): boolean {
    return STREAM_ARN.test(arn);
  }

  async prepare(i: MappingInput, def: MappingDefinition): Promise<void> {
    const position = String(i.StartingPosition ?? '');
    if (position !== 'TRIM_HORIZON' && position !== 'LATEST')
      throw invalidParameter(
        `StartingPosition is required for a DynamoDB stream: TRIM_HORIZON or LATEST (got ${position || 'none'})`,
      );
    try {
      await this.client.send(new DescribeStreamCommand({ StreamArn: def.eventSourceArn }));
    } catch (err) {
      if ((err as { name?: string }).name === 'ResourceNotFoundException')
        throw invalidParameter(`Stream not found: ${def.eventSourceArn}`);
      throw err;
    }
    def.startingPosition = position as StartingPosition;
  }

  check(def: MappingDefinition): void {
    if (def.batchSize > MAX_BATCH)
      throw invalidParameter(
        `BatchSize must be 1-${MAX_BATCH} for a DynamoDB stream (got ${def.batchSize})`,
      );
  }

  runner(deps: RunnerDeps): MappingRunner {
    const reader = new DynamoDbStreamReader(this.client, deps.mapping().eventSourceArn);
    return streamRunner(deps, reader, this.region);
  }

  close(): void {
    this.client.destroy();
  }
}
