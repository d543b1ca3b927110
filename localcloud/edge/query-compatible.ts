/**
 * The wire of the services that speak both AWS JSON 1.0 (X-Amz-Target,
 * awsQueryCompatible errors) and the older query protocol (form-encoded
 * Action=, XML answers): CloudWatch and SQS. Decodes the request into one
 * input shape, runs the operation from the service's table, answers in the
 * request's protocol; every error is the cloud's AwsError.
 */
import type { EdgeRequest, EdgeResponse } from '../contracts';
import { answerAwsError, AwsError, sendJson, unimplementedMessage } from './aws-errors';
import {
  findOperation,
  parseJsonObject,
  targetOperation,
  type OperationTable,
  type RawInput,
} from './operation-table';
import { decodeQueryForm, queryResponse } from './query-protocol';
import { isFormEncoded } from './route-request';

const AMZ_JSON = 'application/x-amz-json-1.0';

export type Output = Record<string, unknown> | undefined;

export interface QueryCompatibleWire {
  /** Signing name, for "does not implement <service>:<op>". */
  service: string;
  /** Smithy namespace of JSON error types, e.g. com.amazonaws.cloudwatch. */
  jsonNamespace: string;
  /** XML namespace of query answers. */
  xmlns: string;
  /** Query parameters into the JSON input shape (lists of Name/Value pairs into maps, say). */
  fromQuery?(params: RawInput, req: EdgeRequest): RawInput;
  /** An output as the query protocol's result XML. */
  toXml(output: Record<string, unknown>): string;
  /** An output as the JSON protocol carries it (dates as epoch seconds, say). */
  toJson?(output: Record<string, unknown>): unknown;
}

export async function serveQueryCompatible(
  req: EdgeRequest,
  body: Buffer,
  res: EdgeResponse,
  table: OperationTable<void, Output | Promise<Output>>,
  wire: QueryCompatibleWire,
): Promise<void> {
  const url = req.url ?? '';
  const query =
    !req.headers['x-amz-target'] &&
    (isFormEncoded(req.headers['content-type']) || url.includes('Action='));
  const style = {
    contentType: AMZ_JSON,
    jsonNamespace: wire.jsonNamespace,
    xmlNamespace: wire.xmlns,
    queryCompatible: true,
  };
  try {
    let name: string;
    let input: RawInput;
    if (query) {
      const decoded = decodeQueryForm(
        req.method === 'GET' ? url.slice(url.indexOf('?') + 1) : body.toString('utf8'),
      );
      name = decoded.action;
      input = wire.fromQuery ? wire.fromQuery(decoded.params, req) : decoded.params;
    } else {
      name = targetOperation(req.headers['x-amz-target']);
      input = parseJsonObject(body, 'MalformedInput');
    }
    const op = findOperation(table, name);
    if (!op)
      throw new AwsError(
        'UnknownOperationException',
        unimplementedMessage(wire.service, name),
        400,
        'InvalidAction',
      );
    const output = await op.call(input, undefined);
    if (!query)
      return sendJson(res, wire.toJson ? wire.toJson(output ?? {}) : (output ?? {}), AMZ_JSON);
    const xml = queryResponse(
      name,
      wire.xmlns,
      output === undefined ? undefined : wire.toXml(output),
    );
    res.writeHead(200, { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(xml) });
    res.end(xml);
  } catch (err) {
    if (!(err instanceof AwsError)) throw err;
    answerAwsError(res, query ? 'query' : 'json', err, style);
  }
}
