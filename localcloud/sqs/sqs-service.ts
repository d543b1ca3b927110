/**
 * SQS at the edge: AWS JSON 1.0 with X-Amz-Target AmazonSQS.<Op> (what
 * @aws-sdk/client-sqs 3.11xx and the AWS CLI v1 with botocore 1.43 send;
 * awsQueryCompatible errors) and the older query protocol (form-encoded,
 * XML answers). Queue URLs are http://127.0.0.1:<port>/000000000000/<name>.
 */

import type { CloudContext, EdgeRequest, EdgeResponse, EdgeService } from '../contracts';
import { sendAwsError, sendJson, unimplementedMessage, xmlEscape } from '../edge/aws-errors';
import { asArray, decodeQueryForm, queryResponse, toNumber } from '../edge/query-protocol';
import { isFormEncoded } from '../edge/route-request';
import {
  QueueStore,
  SqsError,
  type MessageAttributeValue,
  type StoredMessage,
} from './queue-store';
import { ACCOUNT_ID } from '../config';

const AMZ_JSON = 'application/x-amz-json-1.0';
const XMLNS = 'http://queue.amazonaws.com/doc/2012-11-05/';
/** Long-poll re-check interval. */
const POLL_MS = 50;
/** How often the AWS/SQS gauges (ApproximateNumberOfMessagesVisible, ...) are published (AWS: every minute). */
const GAUGE_MS = 5_000;
const NS = 'AWS/SQS';

type Input = Record<string, unknown>;
type Output = Record<string, unknown> | undefined;

export class SqsService implements EdgeService {
  readonly signingNames = ['sqs'] as const;
  readonly store: QueueStore;
  private closed = false;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly ctx: CloudContext) {
    this.store = new QueueStore(ctx.endpoint, ctx.region);
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

  private readonly operations: Record<string, (i: Input) => Output | Promise<Output>> = {
    CreateQueue: (i) => {
      const q = this.store.create(str(i, 'QueueName'), stringMap(i.Attributes), Date.now());
      return { QueueUrl: q.url };
    },
    GetQueueUrl: (i) => ({ QueueUrl: this.store.get(str(i, 'QueueName')).url }),
    ListQueues: (i) => {
      const qs = this.store.list(i.QueueNamePrefix === undefined ? '' : String(i.QueueNamePrefix));
      return qs.length > 0 ? { QueueUrls: qs.map((q) => q.url) } : {};
    },
    DeleteQueue: (i) => {
      this.store.delete(this.store.get(str(i, 'QueueUrl')));
      return undefined;
    },
    PurgeQueue: (i) => {
      this.store.purge(this.store.get(str(i, 'QueueUrl')));
      return undefined;
    },
    GetQueueAttributes: (i) => this.getQueueAttributes(i),
    SetQueueAttributes: (i) => {
      const q = this.store.get(str(i, 'QueueUrl'));
      Object.assign(q.attributes, stringMap(i.Attributes));
      return undefined;
    },
    SendMessage: (i) => {
      const q = this.store.get(str(i, 'QueueUrl'));
      const m = this.store.send(
        q,
        str(i, 'MessageBody'),
        Date.now(),
        toNumber(i.DelaySeconds),
        attrMap(i.MessageAttributes),
      );
      this.metric(q.name, 'NumberOfMessagesSent', 1, 'Count');
      this.metric(q.name, 'SentMessageSize', Buffer.byteLength(m.body), 'Bytes');
      return {
        MessageId: m.id,
        MD5OfMessageBody: m.md5,
        ...(m.md5OfMessageAttributes ? { MD5OfMessageAttributes: m.md5OfMessageAttributes } : {}),
      };
    },
    SendMessageBatch: (i) => {
      const q = this.store.get(str(i, 'QueueUrl'));
      const Successful = asArray(i.Entries).map((e) => {
        const m = this.store.send(
          q,
          str(e, 'MessageBody'),
          Date.now(),
          toNumber(e.DelaySeconds),
          attrMap(e.MessageAttributes),
        );
        return {
          Id: String(e.Id),
          MessageId: m.id,
          MD5OfMessageBody: m.md5,
          ...(m.md5OfMessageAttributes ? { MD5OfMessageAttributes: m.md5OfMessageAttributes } : {}),
        };
      });
      this.metric(q.name, 'NumberOfMessagesSent', Successful.length, 'Count');
      return { Successful, Failed: [] };
    },
    ReceiveMessage: (i) => this.receiveMessage(i),
    DeleteMessage: (i) => {
      const q = this.store.get(str(i, 'QueueUrl'));
      this.store.deleteMessage(q, str(i, 'ReceiptHandle'));
      this.metric(q.name, 'NumberOfMessagesDeleted', 1, 'Count');
      return undefined;
    },
    DeleteMessageBatch: (i) => {
      const q = this.store.get(str(i, 'QueueUrl'));
      const Successful: Array<{ Id: string }> = [];
      const Failed: Array<{ Id: string; Code: string; Message: string; SenderFault: boolean }> = [];
      for (const e of asArray(i.Entries)) {
        try {
          this.store.deleteMessage(q, str(e, 'ReceiptHandle'));
          Successful.push({ Id: String(e.Id) });
        } catch (err) {
          Failed.push({
            Id: String(e.Id),
            Code: (err as SqsError).queryCode ?? 'InternalError',
            Message: (err as Error).message,
            SenderFault: true,
          });
        }
      }
      this.metric(q.name, 'NumberOfMessagesDeleted', Successful.length, 'Count');
      return { Successful, Failed };
    },
    ChangeMessageVisibility: (i) => {
      this.store.changeVisibility(
        this.store.get(str(i, 'QueueUrl')),
        str(i, 'ReceiptHandle'),
        toNumber(i.VisibilityTimeout) ?? 0,
        Date.now(),
      );
      return undefined;
    },
    TagQueue: () => undefined,
    ListQueueTags: () => ({ Tags: {} }),
  };

  private getQueueAttributes(i: Input): Output {
    const q = this.store.get(str(i, 'QueueUrl'));
    const names = asArray<string>(i.AttributeNames).map(String);
    const c = this.store.counts(q, Date.now());
    const all: Record<string, string> = {
      ...q.attributes,
      QueueArn: q.arn,
      ApproximateNumberOfMessages: String(c.visible),
      ApproximateNumberOfMessagesNotVisible: String(c.inFlight),
      ApproximateNumberOfMessagesDelayed: String(c.delayed),
      CreatedTimestamp: String(Math.floor(q.createdAt / 1000)),
      LastModifiedTimestamp: String(Math.floor(q.createdAt / 1000)),
    };
    const wanted = names.includes('All') ? Object.keys(all) : names;
    const Attributes: Record<string, string> = {};
    for (const n of wanted) if (all[n] !== undefined) Attributes[n] = all[n];
    return { Attributes };
  }

  private async receiveMessage(i: Input): Promise<Output> {
    const q = this.store.get(str(i, 'QueueUrl'));
    const max = toNumber(i.MaxNumberOfMessages) ?? 1;
    if (max < 1 || max > 10)
      throw new SqsError(
        'InvalidParameterValue',
        'InvalidParameterValue',
        `Value ${max} for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.`,
      );
    const wait = Math.min(
      20,
      toNumber(i.WaitTimeSeconds) ?? Number(q.attributes.ReceiveMessageWaitTimeSeconds ?? 0),
    );
    const deadline = Date.now() + wait * 1000;
    let got: StoredMessage[];
    for (;;) {
      got = this.store.receive(
        q,
        { max, visibilityTimeout: toNumber(i.VisibilityTimeout) },
        Date.now(),
      );
      if (got.length > 0 || Date.now() >= deadline || this.closed) break;
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    this.metric(q.name, 'NumberOfMessagesReceived', got.length, 'Count');
    if (got.length === 0) this.metric(q.name, 'NumberOfEmptyReceives', 1, 'Count');
    const sys = [
      ...asArray<string>(i.AttributeNames),
      ...asArray<string>(i.MessageSystemAttributeNames),
    ].map(String);
    const userAttrs = asArray<string>(i.MessageAttributeNames).map(String);
    const Messages = got.map((m) => {
      const attributes: Record<string, string> = {
        SenderId: ACCOUNT_ID,
        SentTimestamp: String(m.sentAt),
        ApproximateReceiveCount: String(m.receiveCount),
        ApproximateFirstReceiveTimestamp: String(m.firstReceiveAt ?? m.sentAt),
      };
      const pickedSys = Object.fromEntries(
        Object.entries(attributes).filter(([k]) => sys.includes('All') || sys.includes(k)),
      );
      const pickedUser = m.messageAttributes
        ? Object.fromEntries(
            Object.entries(m.messageAttributes).filter(
              ([k]) =>
                userAttrs.includes('All') || userAttrs.includes('.*') || userAttrs.includes(k),
            ),
          )
        : {};
      return {
        MessageId: m.id,
        ReceiptHandle: m.receiptHandle,
        MD5OfBody: m.md5,
        Body: m.body,
        ...(Object.keys(pickedSys).length > 0 ? { Attributes: pickedSys } : {}),
        ...(Object.keys(pickedUser).length > 0
          ? { MessageAttributes: pickedUser, MD5OfMessageAttributes: m.md5OfMessageAttributes }
          : {}),
      };
    });
    return Messages.length > 0 ? { Messages } : {};
  }

  async handle(req: EdgeRequest, body: Buffer, res: EdgeResponse): Promise<void> {
    const query =
      !req.headers['x-amz-target'] &&
      (isFormEncoded(req.headers['content-type']) || (req.url ?? '').includes('Action='));
    let operation: string;
    let input: Input;
    if (query) {
      const text =
        req.method === 'GET'
          ? (req.url ?? '').slice((req.url ?? '').indexOf('?') + 1)
          : body.toString('utf8');
      const decoded = decodeQueryForm(text);
      operation = decoded.action;
      input = fromQueryShape(decoded.params);
      // the query protocol may carry the queue in the path
      if (input.QueueUrl === undefined && /^\/\d{12}\/[^/?]+/.test(req.url ?? ''))
        input.QueueUrl = (req.url ?? '').split('?')[0];
    } else {
      const target = String(req.headers['x-amz-target'] ?? '');
      operation = target.slice(target.indexOf('.') + 1);
      try {
        input = JSON.parse(body.toString('utf8') || '{}') as Input;
      } catch {
        return this.fail(
          res,
          query,
          new SqsError(
            'SerializationException',
            'MalformedQueryString',
            'request body is not JSON',
          ),
        );
      }
    }
    const op = this.operations[operation];
    if (!op)
      return this.fail(
        res,
        query,
        new SqsError(
          'UnknownOperationException',
          'InvalidAction',
          unimplementedMessage('sqs', operation),
        ),
      );
    let output: Output;
    try {
      output = await op(input);
    } catch (err) {
      if (err instanceof SqsError) return this.fail(res, query, err);
      throw err;
    }
    if (!query) return sendJson(res, output ?? {}, AMZ_JSON);
    const xml = queryResponse(operation, XMLNS, output === undefined ? undefined : sqsXml(output));
    res.writeHead(200, { 'Content-Type': 'text/xml', 'Content-Length': Buffer.byteLength(xml) });
    res.end(xml);
  }

  private fail(res: EdgeResponse, query: boolean, err: SqsError): void {
    sendAwsError(
      res,
      query ? 'query' : 'json',
      {
        code: err.code,
        queryCode: err.queryCode,
        message: err.message,
        jsonNamespace: 'com.amazonaws.sqs',
        xmlNamespace: XMLNS,
      },
      AMZ_JSON,
    );
  }
}

function str(i: Input, name: string): string {
  const v = i[name];
  if (v === undefined || v === null || v === '')
    throw new SqsError(
      'MissingParameter',
      'MissingParameter',
      `The request must contain the parameter ${name}.`,
    );
  return String(v);
}

function stringMap(v: unknown): Record<string, string> {
  if (!v || typeof v !== 'object') return {};
  return Object.fromEntries(
    Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, String(x)]),
  );
}

function attrMap(v: unknown): Record<string, MessageAttributeValue> | undefined {
  if (!v || typeof v !== 'object') return undefined;
  return v as Record<string, MessageAttributeValue>;
}

/** Query-protocol lists of Name/Value pairs become the JSON protocol's maps. */
function fromQueryShape(p: Input): Input {
  const out: Input = { ...p };
  const pairs = (key: string, target: string, value: (e: Input) => unknown) => {
    if (Array.isArray(p[key])) {
      out[target] = Object.fromEntries(asArray(p[key]).map((e) => [String(e.Name), value(e)]));
      delete out[key];
    }
  };
  pairs('Attribute', 'Attributes', (e) => String(e.Value));
  pairs('MessageAttribute', 'MessageAttributes', (e) => e.Value);
  const lists: Record<string, string> = {
    AttributeName: 'AttributeNames',
    MessageAttributeName: 'MessageAttributeNames',
    MessageSystemAttributeName: 'MessageSystemAttributeNames',
    SendMessageBatchRequestEntry: 'Entries',
    DeleteMessageBatchRequestEntry: 'Entries',
    ChangeMessageVisibilityBatchRequestEntry: 'Entries',
  };
  for (const [from, to] of Object.entries(lists)) {
    if (p[from] !== undefined) {
      out[to] = from.endsWith('Entry')
        ? asArray(p[from]).map((e) => (Array.isArray(e.MessageAttribute) ? fromQueryShape(e) : e))
        : p[from];
      delete out[from];
    }
  }
  return out;
}

/** SQS query responses use flattened lists with singular element names. */
function sqsXml(o: Record<string, unknown>): string {
  const el = (name: string, v: unknown): string => `<${name}>${xmlEscape(String(v))}</${name}>`;
  const parts: string[] = [];
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined) continue;
    if (k === 'QueueUrls') parts.push(...asArray<string>(v).map((u) => el('QueueUrl', u)));
    else if (k === 'Attributes')
      parts.push(
        ...Object.entries(v as Record<string, string>).map(
          ([n, x]) => `<Attribute>${el('Name', n)}${el('Value', x)}</Attribute>`,
        ),
      );
    else if (k === 'Messages')
      parts.push(...asArray(v).map((m) => `<Message>${sqsXml(m)}</Message>`));
    else if (k === 'MessageAttributes') {
      parts.push(
        ...Object.entries(v as Record<string, MessageAttributeValue>).map(
          ([n, a]) =>
            `<MessageAttribute>${el('Name', n)}<Value>${a.StringValue !== undefined ? el('StringValue', a.StringValue) : ''}${a.BinaryValue !== undefined ? el('BinaryValue', a.BinaryValue) : ''}${el('DataType', a.DataType)}</Value></MessageAttribute>`,
        ),
      );
    } else if (k === 'Successful' || k === 'Failed') {
      const name =
        k === 'Failed'
          ? 'BatchResultErrorEntry'
          : 'Id' in (asArray(v)[0] ?? {}) && 'MessageId' in (asArray(v)[0] ?? {})
            ? 'SendMessageBatchResultEntry'
            : 'DeleteMessageBatchResultEntry';
      parts.push(...asArray(v).map((e) => `<${name}>${sqsXml(e)}</${name}>`));
    } else if (typeof v === 'object')
      parts.push(`<${k}>${sqsXml(v as Record<string, unknown>)}</${k}>`);
    else parts.push(el(k, v));
  }
  return parts.join('');
}
