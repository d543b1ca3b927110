/**
 * CloudWatch's client errors (pure): each with its JSON code and its query
 * protocol code, as the awsQueryCompatible service answers both.
 */
import { AwsError } from '../edge/aws-errors';
import { Fields } from '../edge/input-fields';
import type { RawInput } from '../edge/operation-table';

export const invalid = (message: string) =>
  new AwsError('InvalidParameterValueException', message, 400, 'InvalidParameterValue');

export const missing = (name: string) =>
  new AwsError(
    'MissingRequiredParameterException',
    `The parameter ${name} is required.`,
    400,
    'MissingParameter',
  );

export const notFound = (code: string, message: string) =>
  new AwsError(code, message, 404, 'ResourceNotFound');

/** Typed reads of a CloudWatch input; missing and mistyped parameters in CloudWatch's words. */
export const cwFields = (raw: RawInput) =>
  new Fields(raw, {
    missing,
    invalid: (name, value, expected) =>
      invalid(
        `The value ${JSON.stringify(value)?.slice(0, 40)} for parameter ${name} is invalid: it must be ${expected}.`,
      ),
  });
