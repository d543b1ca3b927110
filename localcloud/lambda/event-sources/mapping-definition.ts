/** An event source mapping as the embedded Lambda keeps it (plain data), and its API shape. */
import { filterCriteriaView, type FilterCriteria } from './filter/filter-criteria';

export type MappingState =
  'Creating' | 'Enabling' | 'Enabled' | 'Disabling' | 'Disabled' | 'Updating' | 'Deleting';
export type StartingPosition = 'TRIM_HORIZON' | 'LATEST' | 'AT_TIMESTAMP';
/** Streams (Kinesis, DynamoDB Streams) are read by shard; a queue is polled. */
export type SourceKindName = 'kinesis' | 'dynamodb' | 'sqs';

export interface MappingDefinition {
  uuid: string;
  kind: SourceKindName;
  functionName: string;
  functionArn: string;
  eventSourceArn: string;
  batchSize: number;
  maximumBatchingWindowInSeconds: number;
  /** streams only, as the rest down to tumblingWindowInSeconds */
  parallelizationFactor: number;
  startingPosition?: StartingPosition;
  /** epoch seconds */
  startingPositionTimestamp?: number;
  maximumRetryAttempts: number;
  maximumRecordAgeInSeconds: number;
  bisectBatchOnFunctionError: boolean;
  tumblingWindowInSeconds?: number;
  onFailureDestination?: string;
  functionResponseTypes: string[];
  /** records that pass none of these patterns are skipped (checkpointed past, never delivered) */
  filterCriteria?: FilterCriteria;
  /** SQS: ScalingConfig.MaximumConcurrency */
  maximumConcurrency?: number;
  enabled: boolean;
  state: MappingState;
  stateTransitionReason: string;
  /** epoch seconds */
  lastModified: number;
  lastProcessingResult: string;
}

export function mappingArn(region: string, account: string, uuid: string): string {
  return `arn:aws:lambda:${region}:${account}:event-source-mapping:${uuid}`;
}

/** The settings only stream mappings have, as the API returns them. */
function streamFields(m: MappingDefinition): Record<string, unknown> {
  return {
    ParallelizationFactor: m.parallelizationFactor,
    StartingPosition: m.startingPosition,
    ...(m.startingPositionTimestamp !== undefined
      ? { StartingPositionTimestamp: m.startingPositionTimestamp }
      : {}),
    MaximumRetryAttempts: m.maximumRetryAttempts,
    MaximumRecordAgeInSeconds: m.maximumRecordAgeInSeconds,
    BisectBatchOnFunctionError: m.bisectBatchOnFunctionError,
    ...(m.tumblingWindowInSeconds !== undefined
      ? { TumblingWindowInSeconds: m.tumblingWindowInSeconds }
      : {}),
    DestinationConfig: m.onFailureDestination
      ? { OnFailure: { Destination: m.onFailureDestination } }
      : { OnFailure: {} },
  };
}

/** EventSourceMappingConfiguration as the Lambda API returns it. */
export function mappingConfiguration(
  m: MappingDefinition,
  region: string,
  account: string,
): Record<string, unknown> {
  return {
    UUID: m.uuid,
    EventSourceMappingArn: mappingArn(region, account, m.uuid),
    EventSourceArn: m.eventSourceArn,
    FunctionArn: m.functionArn,
    BatchSize: m.batchSize,
    MaximumBatchingWindowInSeconds: m.maximumBatchingWindowInSeconds,
    ...(m.kind === 'sqs' ? {} : streamFields(m)),
    FunctionResponseTypes: m.functionResponseTypes,
    ...(m.filterCriteria ? { FilterCriteria: filterCriteriaView(m.filterCriteria) } : {}),
    ...(m.maximumConcurrency !== undefined
      ? { ScalingConfig: { MaximumConcurrency: m.maximumConcurrency } }
      : {}),
    State: m.state,
    StateTransitionReason: m.stateTransitionReason,
    LastModified: m.lastModified,
    LastProcessingResult: m.lastProcessingResult,
  };
}
