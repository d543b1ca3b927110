/**
 * The wire of a JSON-protocol service (X-Amz-Target <Prefix>.<Op>, JSON in
 * and out) served from an operation table: decode, run, answer; every error
 * is the cloud's AwsError, answered in the service's framing.
 */
import type { EdgeRequest, EdgeResponse } from '../contracts';
import {
  answerAwsError,
  AwsError,
  sendJson,
  unimplementedMessage,
  type ErrorStyle,
} from './aws-errors';
import {
  findOperation,
  parseJsonObject,
  targetOperation,
  type OperationTable,
} from './operation-table';

export interface JsonWire extends ErrorStyle {
  /** Signing name, for "does not implement <service>:<op>". */
  service: string;
  contentType: string;
}

export async function serveJson(
  req: EdgeRequest,
  body: Buffer,
  res: EdgeResponse,
  table: OperationTable<void, unknown>,
  wire: JsonWire,
): Promise<void> {
  try {
    const name = targetOperation(req.headers['x-amz-target']);
    const op = findOperation(table, name);
    if (!op)
      throw new AwsError('UnknownOperationException', unimplementedMessage(wire.service, name));
    sendJson(res, (await op.call(parseJsonObject(body), undefined)) ?? {}, wire.contentType);
  } catch (err) {
    if (!(err instanceof AwsError)) throw err;
    answerAwsError(res, 'json', err, wire);
  }
}
