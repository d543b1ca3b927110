/**
 * The scaler's two levers on the service APIs: the current state
 * (DescribeStreamSummary, GetEventSourceMapping) and the actions
 * (UpdateShardCount with uniform scaling, UpdateEventSourceMapping's
 * ParallelizationFactor).
 */
import {
  DescribeStreamSummaryCommand,
  UpdateShardCountCommand,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import {
  GetEventSourceMappingCommand,
  UpdateEventSourceMappingCommand,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import type { ScalingAction, ScalingCurrent } from '../core/scaling/types';

export interface ScalingLevers {
  kinesis: KinesisClient;
  lambda: LambdaClient;
  streamName: string;
  /** the consumer's event source mapping */
  mappingUuid: string;
}

export async function readCurrent(l: ScalingLevers): Promise<ScalingCurrent> {
  const [stream, mapping] = await Promise.all([
    l.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: l.streamName })),
    l.lambda.send(new GetEventSourceMappingCommand({ UUID: l.mappingUuid })),
  ]);
  const summary = stream.StreamDescriptionSummary;
  return {
    openShards: summary?.OpenShardCount ?? 1,
    parallelization: mapping.ParallelizationFactor ?? 1,
    streamUpdating: summary?.StreamStatus !== 'ACTIVE',
    mappingUpdating: mapping.State !== 'Enabled',
  };
}

export async function applyAction(l: ScalingLevers, action: ScalingAction): Promise<void> {
  if (action.kind === 'UpdateShardCount') {
    await l.kinesis.send(
      new UpdateShardCountCommand({
        StreamName: l.streamName,
        TargetShardCount: action.to,
        ScalingType: 'UNIFORM_SCALING',
      }),
    );
  } else {
    await l.lambda.send(
      new UpdateEventSourceMappingCommand({
        UUID: l.mappingUuid,
        ParallelizationFactor: action.to,
      }),
    );
  }
}
