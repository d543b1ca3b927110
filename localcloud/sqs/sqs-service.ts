/**
 * SQS at the edge: AWS JSON 1.0 with X-Amz-Target AmazonSQS.<Op> (what
 * @aws-sdk/client-sqs 3.11xx and the AWS CLI v1 with botocore 1.43 send;
 * awsQueryCompatible errors) and the older query protocol (form-encoded,
 * XML answers). Queue URLs are http://127.0.0.1:<port>/000000000000/<name>.
 */

import type { CloudContext, EdgeRequest, EdgeResponse, EdgeService } from '../contracts';
import { serveQueryCompatible, type QueryCompatibleWire } from '../edge/query-compatible';
import { QueueStore, type Queue } from './queue-store';
import { sqsOperations, type SqsOperation } from './sqs-operations';
import { fromQueryRequest, sqsXml } from './sqs-wire';

const WIRE: QueryCompatibleWire = {
  service: 'sqs',
  jsonNamespace: 'com.amazonaws.sqs',
  xmlns: 'http://queue.amazonaws.com/doc/2012-11-05/',
  fromQuery: fromQueryRequest,
  toXml: sqsXml,
};
/** How often the AWS/SQS gauges (ApproximateNumberOfMessagesVisible, ...) are published (AWS: every minute). */
const GAUGE_MS = 5_000;
const NS = 'AWS/SQS';

export class SqsService implements EdgeService {
  readonly signingNames = ['sqs'] as const;
  readonly store: QueueStore;
  private closed = false;
  private readonly timer: NodeJS.Timeout;
  private readonly operations: Record<string, SqsOperation>;

  constructor(private readonly ctx: CloudContext) {
    this.store = new QueueStore(ctx.endpoint, ctx.region);
    ctx.persistence?.register({
      name: 'sqs',
      snapshot: () => this.store.snapshot(),
      restore: (saved) => this.store.restore((saved as Queue[] | undefined) ?? []),
    });
    this.operations = sqsOperations({
      store: this.store,
      metric: (queue, name, value, unit) => this.metric(queue, name, value, unit),
      closed: () => this.closed,
    });
    this.timer = setInterval(() => this.publishGauges(), GAUGE_MS);
    this.timer.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
  }

  /** AWS/SQS queue-depth gauges per QueueName, as CloudWatch gets them from SQS. */
  publishGauges(now = Date.now()): void {
    for (const q of this.store.list()) {
      const c = this.store.counts(q, now);
      const oldest = q.messages.reduce((min, m) => Math.min(min, m.sentAt), now);
      this.metric(q.name, 'ApproximateNumberOfMessagesVisible', c.visible, 'Count');
      this.metric(q.name, 'ApproximateNumberOfMessagesNotVisible', c.inFlight, 'Count');
      this.metric(q.name, 'ApproximateNumberOfMessagesDelayed', c.delayed, 'Count');
      this.metric(
        q.name,
        'ApproximateAgeOfOldestMessage',
        Math.floor((now - oldest) / 1000),
        'Seconds',
      );
    }
  }

  private metric(queue: string, name: string, value: number, unit: string): void {
    this.ctx.metrics.putMetric({
      namespace: NS,
      name,
      dimensions: { QueueName: queue },
      value,
      unit,
      timestamp: new Date(),
    });
  }

  handle(req: EdgeRequest, body: Buffer, res: EdgeResponse): Promise<void> {
    return serveQueryCompatible(req, body, res, this.operations, WIRE);
  }
}
