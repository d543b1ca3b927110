/** An event source mapping as the embedded Lambda keeps it (plain data), and its API shape. */
import { filterCriteriaView, type FilterCriteria } from './filter/filter-criteria';

export type MappingState =
  'Creating' | 'Enabling' | 'Enabled' | 'Disabling' | 'Disabled' | 'Updating' | 'Deleting';
export type StartingPosition = 'TRIM_HORIZON' | 'LATEST' | 'AT_TIMESTAMP';

export interface MappingDefinition {
  uuid: string;
  functionName: string;
  functionArn: string;
  eventSourceArn: string;
  batchSize: number;
  maximumBatchingWindowInSeconds: number;
  parallelizationFactor: number;
  startingPosition: StartingPosition;
  /** epoch seconds */
  startingPositionTimestamp?: number;
  maximumRetryAttempts: number;
  maximumRecordAgeInSeconds: number;
  bisectBatchOnFunctionError: boolean;
  functionResponseTypes: string[];
  tumblingWindowInSeconds?: number;
  onFailureDestination?: string;
  /** records that pass none of these patterns are skipped (checkpointed past, never delivered) */
  filterCriteria?: FilterCriteria;
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
    ParallelizationFactor: m.parallelizationFactor,
    StartingPosition: m.startingPosition,
    ...(m.startingPositionTimestamp !== undefined
      ? { StartingPositionTimestamp: m.startingPositionTimestamp }
      : {}),
    MaximumRetryAttempts: m.maximumRetryAttempts,
    MaximumRecordAgeInSeconds: m.maximumRecordAgeInSeconds,
    BisectBatchOnFunctionError: m.bisectBatchOnFunctionError,
    FunctionResponseTypes: m.functionResponseTypes,
    ...(m.tumblingWindowInSeconds !== undefined
      ? { TumblingWindowInSeconds: m.tumblingWindowInSeconds }
      : {}),
    ...(m.filterCriteria ? { FilterCriteria: filterCriteriaView(m.filterCriteria) } : {}),
    DestinationConfig: m.onFailureDestination
      ? { OnFailure: { Destination: m.onFailureDestination } }
      : { OnFailure: {} },
    State: m.state,
    StateTransitionReason: m.stateTransitionReason,
    LastModified: m.lastModified,
    LastProcessingResult: m.lastProcessingResult,
  };
}
