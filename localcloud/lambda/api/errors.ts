/**
 * The Lambda API's errors, in the cloud's one error family (AwsError): the
 * codes and statuses AWS answers with, so SDKs raise the named exception.
 */
import { AwsError } from '../../edge/aws-errors';

export const notFound = (message: string) =>
  new AwsError('ResourceNotFoundException', message, 404);

export const invalidParameter = (message: string) =>
  new AwsError('InvalidParameterValueException', message);

export const conflict = (message: string) =>
  new AwsError('ResourceConflictException', message, 409);

export const invalidContent = (message: string) =>
  new AwsError('InvalidRequestContentException', message);

export const tooManyRequests = (message: string) =>
  new AwsError('TooManyRequestsException', message, 429);
