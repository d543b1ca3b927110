/**
 * SQS queues in memory (time passed in, no I/O): standard-queue semantics —
 * a received message is invisible for the visibility timeout and comes back
 * if not deleted, delays, receive counts, a redrive policy to a dead-letter
 * queue, and the approximate counts GetQueueAttributes reports.
 */
import { createHash, randomUUID } from 'node:crypto';
import { ACCOUNT_ID as ACCOUNT } from '../config';
import { AwsError } from '../edge/aws-errors';

export interface MessageAttributeValue {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string; // base64
}

export interface StoredMessage {
  id: string;
  body: string;
  md5: string;
  messageAttributes?: Record<string, MessageAttributeValue>;
  md5OfMessageAttributes?: string;
  sentAt: number;
  visibleAt: number;
  receiveCount: number;
  firstReceiveAt?: number;
  receiptHandle?: string;
}

export interface Queue {
  name: string;
  url: string;
  arn: string;
  attributes: Record<string, string>;
  createdAt: number;
  messages: StoredMessage[];
}

/** An SQS error: its JSON code and its query-protocol code (AWS.SimpleQueueService.* where SQS uses one). */
export const sqsError = (code: string, queryCode: string, message: string) =>
  new AwsError(code, message, 400, queryCode);

const DEFAULT_ATTRIBUTES: Record<string, string> = {
  VisibilityTimeout: '30',
  DelaySeconds: '0',
  MaximumMessageSize: '262144',
  MessageRetentionPeriod: '345600',
  ReceiveMessageWaitTimeSeconds: '0',
};

export function md5Hex(s: string | Buffer): string {
  return createHash('md5').update(s).digest('hex');
}

/** MD5OfMessageAttributes as SQS computes it (names sorted, length-prefixed fields). */
export function md5OfMessageAttributes(attrs: Record<string, MessageAttributeValue>): string {
  const h = createHash('md5');
  const lp = (b: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    h.update(len);
    h.update(b);
  };
  for (const name of Object.keys(attrs).sort()) {
    const a = attrs[name]!;
    lp(Buffer.from(name, 'utf8'));
    lp(Buffer.from(a.DataType, 'utf8'));
    if (a.BinaryValue !== undefined) {
      h.update(Buffer.from([2]));
      lp(Buffer.from(a.BinaryValue, 'base64'));
    } else {
      h.update(Buffer.from([1]));
      lp(Buffer.from(a.StringValue ?? '', 'utf8'));
    }
  }
  return h.digest('hex');
}

export interface ReceiveOptions {
  max: number;
  visibilityTimeout?: number;
}

export class QueueStore {
  private readonly queues = new Map<string, Queue>();

  constructor(
    private readonly endpoint: string,
    private readonly region: string,
  ) {}

  /** The queues as plain data (--data-dir). */
  snapshot(): Queue[] {
    return [...this.queues.values()];
  }

  /** Queues saved by snapshot(); their URLs name this cloud's endpoint, which may differ from then. */
  restore(queues: readonly Queue[]): void {
    this.queues.clear();
    for (const q of queues)
      this.queues.set(q.name, { ...q, url: `${this.endpoint}/${ACCOUNT}/${q.name}` });
  }

  create(name: string, attributes: Record<string, string>, now: number): Queue {
    if (!/^[A-Za-z0-9_-]{1,80}(\.fifo)?$/.test(name)) {
      throw sqsError(
        'InvalidParameterValue',
        'InvalidParameterValue',
        `Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length (got "${name}")`,
      );
    }
    if (name.endsWith('.fifo'))
      throw sqsError(
        'UnsupportedOperation',
        'AWS.SimpleQueueService.UnsupportedOperation',
        'streamscale local cloud supports standard queues only, not FIFO',
      );
    const existing = this.queues.get(name);
    if (existing) return existing;
    const q: Queue = {
      name,
      url: `${this.endpoint}/${ACCOUNT}/${name}`,
      arn: `arn:aws:sqs:${this.region}:${ACCOUNT}:${name}`,
      attributes: { ...DEFAULT_ATTRIBUTES, ...attributes },
      createdAt: now,
      messages: [],
    };
    this.queues.set(name, q);
    return q;
  }

  /** By URL (any host, as long as the path ends in the queue name) or by name. */
  get(urlOrName: string): Queue {
    const name = urlOrName.slice(urlOrName.lastIndexOf('/') + 1);
    const q = this.queues.get(name);
    if (!q)
      throw sqsError(
        'QueueDoesNotExist',
        'AWS.SimpleQueueService.NonExistentQueue',
        'The specified queue does not exist.',
      );
    return q;
  }

  byArn(arn: string): Queue | undefined {
    return [...this.queues.values()].find((q) => q.arn === arn);
  }

  list(prefix = ''): Queue[] {
    return [...this.queues.values()]
      .filter((q) => q.name.startsWith(prefix))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  delete(q: Queue): void {
    this.queues.delete(q.name);
  }

  send(
    q: Queue,
    body: string,
    now: number,
    delaySeconds?: number,
    messageAttributes?: Record<string, MessageAttributeValue>,
  ): StoredMessage {
    if (body.length === 0)
      throw sqsError(
        'InvalidParameterValue',
        'InvalidParameterValue',
        'The request must contain the parameter MessageBody.',
      );
    if (Buffer.byteLength(body) > Number(q.attributes.MaximumMessageSize)) {
      throw sqsError(
        'InvalidParameterValue',
        'InvalidParameterValue',
        `One or more parameters are invalid. Reason: Message must be shorter than ${q.attributes.MaximumMessageSize} bytes.`,
      );
    }
    const delay = delaySeconds ?? Number(q.attributes.DelaySeconds);
    const hasAttrs = messageAttributes && Object.keys(messageAttributes).length > 0;
    const m: StoredMessage = {
      id: randomUUID(),
      body,
      md5: md5Hex(body),
      sentAt: now,
      visibleAt: now + delay * 1000,
      receiveCount: 0,
      ...(hasAttrs
        ? { messageAttributes, md5OfMessageAttributes: md5OfMessageAttributes(messageAttributes) }
        : {}),
    };
    q.messages.push(m);
    return m;
  }

  receive(q: Queue, opts: ReceiveOptions, now: number): StoredMessage[] {
    this.expire(q, now);
    const timeout = opts.visibilityTimeout ?? Number(q.attributes.VisibilityTimeout);
    const redrive = parseRedrive(q.attributes.RedrivePolicy);
    const out: StoredMessage[] = [];
    for (const m of [...q.messages]) {
      if (out.length >= opts.max) break;
      if (m.visibleAt > now) continue;
      if (redrive && m.receiveCount >= redrive.maxReceiveCount) {
        const dlq = this.byArn(redrive.deadLetterTargetArn);
        if (dlq) {
          q.messages.splice(q.messages.indexOf(m), 1);
          dlq.messages.push({ ...m, visibleAt: now, receiptHandle: undefined });
          continue;
        }
      }
      m.receiveCount++;
      m.firstReceiveAt ??= now;
      m.visibleAt = now + timeout * 1000;
      m.receiptHandle = Buffer.from(`${q.name}/${m.id}/${randomUUID()}`).toString('base64');
      out.push(m);
    }
    return out;
  }

  deleteMessage(q: Queue, receiptHandle: string): void {
    const ix = q.messages.findIndex((m) => m.receiptHandle === receiptHandle);
    if (ix >= 0) q.messages.splice(ix, 1);
    else if (!isOurHandle(receiptHandle, q.name)) {
      throw sqsError(
        'ReceiptHandleIsInvalid',
        'ReceiptHandleIsInvalid',
        `The input receipt handle "${receiptHandle}" is not a valid receipt handle.`,
      );
    }
    // a stale handle of a message already deleted is accepted, as SQS does
  }

  changeVisibility(q: Queue, receiptHandle: string, seconds: number, now: number): void {
    const m = q.messages.find((x) => x.receiptHandle === receiptHandle);
    if (!m)
      throw sqsError(
        'MessageNotInflight',
        'AWS.SimpleQueueService.MessageNotInflight',
        'Message does not exist or is not available for visibility timeout change.',
      );
    m.visibleAt = now + seconds * 1000;
  }

  purge(q: Queue): void {
    q.messages.length = 0;
  }

  counts(q: Queue, now: number): { visible: number; inFlight: number; delayed: number } {
    this.expire(q, now);
    let visible = 0;
    let inFlight = 0;
    let delayed = 0;
    for (const m of q.messages) {
      if (m.visibleAt <= now) visible++;
      else if (m.receiveCount > 0) inFlight++;
      else delayed++;
    }
    return { visible, inFlight, delayed };
  }

  private expire(q: Queue, now: number): void {
    const keepMs = Number(q.attributes.MessageRetentionPeriod) * 1000;
    if (q.messages.length > 0 && q.messages[0]!.sentAt < now - keepMs) {
      q.messages = q.messages.filter((m) => m.sentAt >= now - keepMs);
    }
  }
}

function parseRedrive(
  raw: string | undefined,
): { deadLetterTargetArn: string; maxReceiveCount: number } | undefined {
  if (!raw) return undefined;
  try {
    const p = JSON.parse(raw) as {
      deadLetterTargetArn?: string;
      maxReceiveCount?: number | string;
    };
    if (p.deadLetterTargetArn && p.maxReceiveCount !== undefined)
      return {
        deadLetterTargetArn: p.deadLetterTargetArn,
        maxReceiveCount: Number(p.maxReceiveCount),
      };
  } catch {
    // invalid policy: no redrive
  }
  return undefined;
}

function isOurHandle(handle: string, queue: string): boolean {
  try {
    return Buffer.from(handle, 'base64').toString('utf8').startsWith(`${queue}/`);
  } catch {
    return false;
  }
}
