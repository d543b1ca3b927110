/**
 * CloudWatch (`monitoring`) at the edge, in both protocols its clients use:
 * AWS JSON 1.0 with X-Amz-Target GraniteServiceVersion20100801.<Op> (what
 * @aws-sdk/client-cloudwatch 3.11xx sends; awsQueryCompatible, so errors
 * also carry x-amzn-query-error) and the query protocol (form-encoded
 * Action=..., XML answers) of the AWS CLI v1.
 */

import type { CloudContext, EdgeRequest, EdgeResponse, EdgeService } from '../contracts';
import { sendAwsError, sendJson, unimplementedMessage } from '../edge/aws-errors';
import { datesToEpochSeconds, decodeQueryForm, queryResponse, toXml } from '../edge/query-protocol';
import { isFormEncoded } from '../edge/route-request';
import { CloudWatchApi, CloudWatchError } from './cloudwatch-api';
import type { MetricStore } from './metric-store';

const AMZ_JSON = 'application/x-amz-json-1.0';
const XMLNS = 'http://monitoring.amazonaws.com/doc/2010-08-01/';
const JSON_NS = 'com.amazonaws.cloudwatch';
const XML_MAPS = new Set(['ExtendedStatistics']);
/** How often alarms are re-evaluated in the background (state changes are logged). */
const ALARM_EVALUATION_MS = 10_000;

export class CloudWatchService implements EdgeService {
  readonly signingNames = ['monitoring'] as const;
  readonly api: CloudWatchApi;
  private readonly timer: NodeJS.Timeout;

  constructor(ctx: CloudContext, store: MetricStore) {
    this.api = new CloudWatchApi(store, ctx.region, (name, from, to, reason) =>
      ctx.log('cloudwatch', `alarm ${name}: ${from} -> ${to} (${reason})`),
    );
    this.timer = setInterval(() => this.api.evaluateAlarms(), ALARM_EVALUATION_MS);
    this.timer.unref();
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
  }

  async handle(req: EdgeRequest, body: Buffer, res: EdgeResponse): Promise<void> {
    const query =
      !req.headers['x-amz-target'] &&
      (isFormEncoded(req.headers['content-type']) || (req.url ?? '').includes('Action='));
    let operation: string;
    let input: Record<string, unknown>;
    if (query) {
      const text =
        req.method === 'GET'
          ? (req.url ?? '').slice((req.url ?? '').indexOf('?') + 1)
          : body.toString('utf8');
      const decoded = decodeQueryForm(text);
      operation = decoded.action;
      input = decoded.params;
    } else {
      const target = String(req.headers['x-amz-target'] ?? '');
      operation = target.slice(target.indexOf('.') + 1);
      try {
        input = JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>;
      } catch {
        return this.fail(
          res,
          query,
          new CloudWatchError(
            'SerializationException',
            'MalformedInput',
            'request body is not JSON',
          ),
        );
      }
    }
    const op = this.api.operations[operation];
    if (!op) {
      return this.fail(
        res,
        query,
        new CloudWatchError(
          'UnknownOperationException',
          'InvalidAction',
          unimplementedMessage('monitoring', operation),
        ),
      );
    }
    let output: Record<string, unknown> | undefined;
    try {
      output = op(input);
    } catch (err) {
      if (err instanceof CloudWatchError) return this.fail(res, query, err);
      throw err;
    }
    if (query) {
      const xml = queryResponse(
        operation,
        XMLNS,
        output === undefined ? undefined : toXml(output, { mapKeys: XML_MAPS }),
      );
      res.writeHead(200, { 'Content-Type': 'text/xml', 'Content-Length': Buffer.byteLength(xml) });
      res.end(xml);
    } else {
      sendJson(res, datesToEpochSeconds(output ?? {}), AMZ_JSON);
    }
  }

  private fail(res: EdgeResponse, query: boolean, err: CloudWatchError): void {
    sendAwsError(
      res,
      query ? 'query' : 'json',
      {
        code: err.jsonCode,
        queryCode: err.queryCode,
        message: err.message,
        status: err.status,
        jsonNamespace: JSON_NS,
        xmlNamespace: XMLNS,
      },
      AMZ_JSON,
    );
  }
}
