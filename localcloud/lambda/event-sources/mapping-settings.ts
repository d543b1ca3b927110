/**
 * Create/UpdateEventSourceMapping input as it comes over the wire, and its
 * validation into a mapping definition (pure): AWS's ranges, the response
 * types and destinations it accepts.
 */
import { invalidParameter } from '../api/errors';
import {
  parseFilterCriteria,
  type FilterCriteria,
  type FilterCriteriaInput,
} from './filter/filter-criteria';
import { FilterPatternError } from './filter/filter-pattern';
import type { MappingDefinition } from './mapping-definition';

/** The JSON body of CreateEventSourceMapping / UpdateEventSourceMapping. */
export interface MappingInput {
  EventSourceArn?: unknown;
  FunctionName?: unknown;
  Enabled?: unknown;
  StartingPosition?: unknown;
  StartingPositionTimestamp?: unknown;
  BatchSize?: unknown;
  MaximumBatchingWindowInSeconds?: unknown;
  ParallelizationFactor?: unknown;
  MaximumRetryAttempts?: unknown;
  MaximumRecordAgeInSeconds?: unknown;
  TumblingWindowInSeconds?: unknown;
  BisectBatchOnFunctionError?: unknown;
  FunctionResponseTypes?: unknown;
  DestinationConfig?: { OnFailure?: { Destination?: unknown } | null } | null;
  FilterCriteria?: FilterCriteriaInput | null;
  ScalingConfig?: { MaximumConcurrency?: unknown } | null;
}

type IntKey =
  | 'BatchSize'
  | 'MaximumBatchingWindowInSeconds'
  | 'ParallelizationFactor'
  | 'MaximumRetryAttempts'
  | 'MaximumRecordAgeInSeconds'
  | 'TumblingWindowInSeconds';

function int(
  i: MappingInput,
  key: IntKey,
  lo: number,
  hi: number,
  allowMinusOne = false,
): number | undefined {
  const v = i[key];
  if (v === undefined || v === null) return undefined;
  const n = Number(v);
  if (!(Number.isInteger(n) && ((n >= lo && n <= hi) || (allowMinusOne && n === -1))))
    throw invalidParameter(
      `${key} must be ${allowMinusOne ? '-1 or ' : ''}${lo}-${hi} (got ${String(v)})`,
    );
  return n;
}

function responseTypes(value: unknown[]): string[] {
  const types = value.map(String);
  const bad = types.find((x) => x !== 'ReportBatchItemFailures');
  if (bad)
    throw invalidParameter(
      `FunctionResponseTypes supports only ReportBatchItemFailures (got ${bad})`,
    );
  return types;
}

function destination(config: NonNullable<MappingInput['DestinationConfig']>): string | undefined {
  const dest = config.OnFailure?.Destination;
  if (dest === undefined || dest === null || dest === '') return undefined;
  if (!/^arn:aws[a-z-]*:(sqs|sns):/.test(String(dest)))
    throw invalidParameter(
      `DestinationConfig.OnFailure.Destination must be an SQS queue or SNS topic ARN (got ${String(dest)})`,
    );
  return String(dest);
}

function filterCriteria(input: FilterCriteriaInput | null): FilterCriteria | undefined {
  try {
    return parseFilterCriteria(input);
  } catch (err) {
    if (err instanceof FilterPatternError)
      throw invalidParameter(`Invalid filter pattern definition. ${err.message}`);
    throw err;
  }
}

function maximumConcurrency(c: MappingInput['ScalingConfig']): number | undefined {
  const v = c?.MaximumConcurrency;
  if (v === undefined || v === null) return undefined;
  const n = Number(v);
  if (!(Number.isInteger(n) && n >= 2 && n <= 1000))
    throw invalidParameter(`ScalingConfig.MaximumConcurrency must be 2-1000 (got ${String(v)})`);
  return n;
}

/** Applies the settings an input names to `into` (FunctionName and Enabled are the caller's). */
export function applyMappingSettings(i: MappingInput, into: MappingDefinition): void {
  into.batchSize = int(i, 'BatchSize', 1, 10_000) ?? into.batchSize;
  into.maximumBatchingWindowInSeconds =
    int(i, 'MaximumBatchingWindowInSeconds', 0, 300) ?? into.maximumBatchingWindowInSeconds;
  into.parallelizationFactor = int(i, 'ParallelizationFactor', 1, 10) ?? into.parallelizationFactor;
  into.maximumRetryAttempts =
    int(i, 'MaximumRetryAttempts', 0, 10_000, true) ?? into.maximumRetryAttempts;
  into.maximumRecordAgeInSeconds =
    int(i, 'MaximumRecordAgeInSeconds', 60, 604_800, true) ?? into.maximumRecordAgeInSeconds;
  into.tumblingWindowInSeconds =
    int(i, 'TumblingWindowInSeconds', 0, 900) ?? into.tumblingWindowInSeconds;
  if (i.BisectBatchOnFunctionError !== undefined)
    into.bisectBatchOnFunctionError = i.BisectBatchOnFunctionError === true;
  if (Array.isArray(i.FunctionResponseTypes))
    into.functionResponseTypes = responseTypes(i.FunctionResponseTypes);
  if (i.DestinationConfig !== undefined)
    into.onFailureDestination = i.DestinationConfig ? destination(i.DestinationConfig) : undefined;
  if (i.FilterCriteria !== undefined) into.filterCriteria = filterCriteria(i.FilterCriteria);
  if (i.ScalingConfig !== undefined) into.maximumConcurrency = maximumConcurrency(i.ScalingConfig);
}
