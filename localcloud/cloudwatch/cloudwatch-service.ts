/**
 * CloudWatch (`monitoring`) at the edge, in both protocols its clients use:
 * AWS JSON 1.0 with X-Amz-Target GraniteServiceVersion20100801.<Op> (what
 * @aws-sdk/client-cloudwatch sends; awsQueryCompatible, so errors also
 * carry x-amzn-query-error) and the query protocol (form-encoded Action=...,
 * XML answers) of the AWS CLI v1. One operation table: metrics, dashboards,
 * alarms, each in its own file.
 */
import type { CloudContext, EdgeRequest, EdgeResponse, EdgeService } from '../contracts';
import { operation } from '../edge/operation-table';
import { serveQueryCompatible, type QueryCompatibleWire } from '../edge/query-compatible';
import { datesToEpochSeconds, toXml } from '../edge/query-protocol';
import { AlarmBook, alarmOperations } from './alarm-operations';
import { registerCloudWatchPersistence } from './cloudwatch-persistence';
import { dashboardOperations, type Dashboard } from './dashboard-operations';
import { metricOperations, type CloudWatchOperation } from './metric-operations';
import type { MetricStore } from './metric-store';

/** How often alarms are re-evaluated in the background (state changes are logged). */
const ALARM_EVALUATION_MS = 10_000;
const XML_MAPS = new Set(['ExtendedStatistics']);

const WIRE: QueryCompatibleWire = {
  service: 'monitoring',
  jsonNamespace: 'com.amazonaws.cloudwatch',
  xmlns: 'http://monitoring.amazonaws.com/doc/2010-08-01/',
  toXml: (output) => toXml(output, { mapKeys: XML_MAPS }),
  toJson: datesToEpochSeconds,
};

export class CloudWatchService implements EdgeService {
  readonly signingNames = ['monitoring'] as const;
  readonly alarms: AlarmBook;
  private readonly operations: Record<string, CloudWatchOperation>;
  private readonly timer: NodeJS.Timeout;

  constructor(ctx: CloudContext, store: MetricStore) {
    this.alarms = new AlarmBook(store, ctx.region, (name, from, to, reason) =>
      ctx.log('cloudwatch', `alarm ${name}: ${from} -> ${to} (${reason})`),
    );
    const dashboards = new Map<string, Dashboard>();
    this.operations = {
      ...metricOperations(store),
      ...dashboardOperations(dashboards),
      ...alarmOperations(this.alarms),
      TagResource: operation(
        () => undefined,
        () => undefined,
      ),
      ListTagsForResource: operation(
        () => undefined,
        () => ({ Tags: [] }),
      ),
    };
    registerCloudWatchPersistence(ctx.persistence, store, dashboards, this.alarms);
    this.timer = setInterval(() => this.alarms.evaluateAll(), ALARM_EVALUATION_MS);
    this.timer.unref();
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
  }

  handle(req: EdgeRequest, body: Buffer, res: EdgeResponse): Promise<void> {
    return serveQueryCompatible(req, body, res, this.operations, WIRE);
  }
}
