/**
 * Kinesis's errors as AWS words them: model-constraint failures are one
 * ValidationException listing each ("2 validation errors detected: Value …
 * at 'records.1.member.data' failed to satisfy constraint: …"), other
 * refusals their named exceptions.
 */
import { ACCOUNT_ID } from '../config';
import { AwsError } from '../edge/aws-errors';
import { Fields, type InputErrors } from '../edge/input-fields';
import type { RawInput } from '../edge/operation-table';

/** One model-constraint failure: the offending value as AWS prints it, where, and the rule. */
export interface ConstraintFailure {
  value: string;
  at: string;
  constraint: string;
}

export function validationError(failures: readonly ConstraintFailure[]): AwsError {
  const n = failures.length;
  const list = failures
    .map((f) => `Value ${f.value} at '${f.at}' failed to satisfy constraint: ${f.constraint}`)
    .join('; ');
  return new AwsError(
    'ValidationException',
    `${n} validation error${n === 1 ? '' : 's'} detected: ${list}`,
  );
}

/** AWS's field paths are camelCase: StreamName → streamName. */
const memberPath = (name: string) => name.charAt(0).toLowerCase() + name.slice(1);

const inputErrors: InputErrors = {
  missing: (name) =>
    validationError([
      { value: 'null', at: memberPath(name), constraint: 'Member must not be null' },
    ]),
  invalid: (name, value, expected) =>
    new AwsError(
      'SerializationException',
      `${name} must be ${expected} (got ${JSON.stringify(value)?.slice(0, 40)})`,
    ),
};

export const kinesisFields = (raw: RawInput) => new Fields(raw, inputErrors);

export const streamNotFound = (name: string) =>
  new AwsError(
    'ResourceNotFoundException',
    `Stream ${name} under account ${ACCOUNT_ID} not found.`,
  );

export const rateExceeded = (shardId: string, stream: string) =>
  `Rate exceeded for shard ${shardId} in stream ${stream} under account ${ACCOUNT_ID}.`;
