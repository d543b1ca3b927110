/**
 * The SQS operations over the QueueStore: queues (create, find, list,
 * attributes, purge, delete) and messages (send, receive with long polling,
 * delete, visibility), singly and in batches. Each decodes its typed input;
 * errors are AwsErrors with SQS's JSON and query codes.
 */
import { ACCOUNT_ID } from '../config';
import { Fields } from '../edge/input-fields';
import { operation, type Operation, type RawInput } from '../edge/operation-table';
import type { Output } from '../edge/query-compatible';
import { asArray, toNumber } from '../edge/query-protocol';
import {
  sqsError,
  type MessageAttributeValue,
  type Queue,
  type QueueStore,
  type StoredMessage,
} from './queue-store';

export type SqsOperation = Operation<void, Output | Promise<Output>>;

/** Long-poll re-check interval. */
const POLL_MS = 50;
/** The longest long poll SQS allows. */
const MAX_WAIT_SECONDS = 20;
const MAX_RECEIVE = 10;

export interface SqsParts {
  store: QueueStore;
  metric(queue: string, name: string, value: number, unit: string): void;
  closed(): boolean;
}

const sqsFields = (raw: RawInput) =>
  new Fields(raw, {
    missing: (name) =>
      sqsError(
        'MissingParameter',
        'MissingParameter',
        `The request must contain the parameter ${name}.`,
      ),
    invalid: (name, value, expected) =>
      sqsError(
        'InvalidParameterValue',
        'InvalidParameterValue',
        `Value ${JSON.stringify(value)?.slice(0, 40)} for parameter ${name} is invalid. Reason: must be ${expected}.`,
      ),
  });

function stringMap(v: unknown): Record<string, string> {
  if (!v || typeof v !== 'object') return {};
  return Object.fromEntries(
    Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, String(x)]),
  );
}

function attrMap(v: unknown): Record<string, MessageAttributeValue> | undefined {
  return v && typeof v === 'object' ? (v as Record<string, MessageAttributeValue>) : undefined;
}

interface Outgoing {
  body: string;
  delay?: number;
  attributes?: Record<string, MessageAttributeValue>;
}

const outgoing = (raw: RawInput): Outgoing => ({
  body: sqsFields(raw).str('MessageBody'),
  delay: toNumber(raw.DelaySeconds),
  attributes: attrMap(raw.MessageAttributes),
});

const sent = (m: StoredMessage) => ({
  MessageId: m.id,
  MD5OfMessageBody: m.md5,
  ...(m.md5OfMessageAttributes ? { MD5OfMessageAttributes: m.md5OfMessageAttributes } : {}),
});

const queueUrl = (raw: RawInput) => sqsFields(raw).str('QueueUrl');

function queueOperations(parts: SqsParts): Record<string, SqsOperation> {
  const { store } = parts;
  const onQueue = (run: (q: Queue) => Output) => operation(queueUrl, (url) => run(store.get(url)));
  return {
    CreateQueue: operation(
      (raw) => ({ name: sqsFields(raw).str('QueueName'), attributes: stringMap(raw.Attributes) }),
      ({ name, attributes }) => ({ QueueUrl: store.create(name, attributes, Date.now()).url }),
    ),
    GetQueueUrl: operation(
      (raw) => sqsFields(raw).str('QueueName'),
      (name) => ({ QueueUrl: store.get(name).url }),
    ),
    ListQueues: operation(
      (raw) => sqsFields(raw).optStr('QueueNamePrefix') ?? '',
      (prefix) => {
        const qs = store.list(prefix);
        return qs.length > 0 ? { QueueUrls: qs.map((q) => q.url) } : {};
      },
    ),
    DeleteQueue: onQueue((q) => void store.delete(q)),
    PurgeQueue: onQueue((q) => void store.purge(q)),
    GetQueueAttributes: operation(
      (raw) => ({ url: queueUrl(raw), names: asArray<string>(raw.AttributeNames).map(String) }),
      ({ url, names }) => queueAttributes(store, store.get(url), names),
    ),
    SetQueueAttributes: operation(
      (raw) => ({ url: queueUrl(raw), attributes: stringMap(raw.Attributes) }),
      ({ url, attributes }) => void Object.assign(store.get(url).attributes, attributes),
    ),
    TagQueue: operation(queueUrl, () => undefined),
    ListQueueTags: operation(queueUrl, () => ({ Tags: {} })),
  };
}

function queueAttributes(store: QueueStore, q: Queue, names: string[]): Output {
  const c = store.counts(q, Date.now());
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

function messageOperations(parts: SqsParts): Record<string, SqsOperation> {
  const { store } = parts;
  const send = (q: Queue, o: Outgoing) => store.send(q, o.body, Date.now(), o.delay, o.attributes);
  return {
    SendMessage: operation(
      (raw) => ({ url: queueUrl(raw), message: outgoing(raw) }),
      ({ url, message }) => {
        const q = store.get(url);
        const m = send(q, message);
        parts.metric(q.name, 'NumberOfMessagesSent', 1, 'Count');
        parts.metric(q.name, 'SentMessageSize', Buffer.byteLength(m.body), 'Bytes');
        return sent(m);
      },
    ),
    SendMessageBatch: operation(
      (raw) => ({
        url: queueUrl(raw),
        entries: asArray(raw.Entries).map((e) => ({ id: String(e.Id), message: outgoing(e) })),
      }),
      ({ url, entries }) => {
        const q = store.get(url);
        const Successful = entries.map((e) => ({ Id: e.id, ...sent(send(q, e.message)) }));
        parts.metric(q.name, 'NumberOfMessagesSent', Successful.length, 'Count');
        return { Successful, Failed: [] };
      },
    ),
    ReceiveMessage: operation(decodeReceive, (i) => receiveMessage(parts, i)),
    DeleteMessage: operation(
      (raw) => ({ url: queueUrl(raw), handle: sqsFields(raw).str('ReceiptHandle') }),
      ({ url, handle }) => {
        const q = store.get(url);
        store.deleteMessage(q, handle);
        parts.metric(q.name, 'NumberOfMessagesDeleted', 1, 'Count');
        return undefined;
      },
    ),
    DeleteMessageBatch: operation(
      (raw) => ({
        url: queueUrl(raw),
        entries: asArray(raw.Entries).map((e) => ({
          id: String(e.Id),
          handle: String(e.ReceiptHandle ?? ''),
        })),
      }),
      ({ url, entries }) => deleteBatch(parts, store.get(url), entries),
    ),
    ChangeMessageVisibility: operation(
      (raw) => ({
        url: queueUrl(raw),
        handle: sqsFields(raw).str('ReceiptHandle'),
        seconds: toNumber(raw.VisibilityTimeout) ?? 0,
      }),
      ({ url, handle, seconds }) =>
        void store.changeVisibility(store.get(url), handle, seconds, Date.now()),
    ),
  };
}

function deleteBatch(
  parts: SqsParts,
  q: Queue,
  entries: Array<{ id: string; handle: string }>,
): Output {
  const Successful: Array<{ Id: string }> = [];
  const Failed: Array<{ Id: string; Code: string; Message: string; SenderFault: boolean }> = [];
  for (const e of entries) {
    try {
      parts.store.deleteMessage(q, e.handle);
      Successful.push({ Id: e.id });
    } catch (err) {
      const code = (err as { queryCode?: string }).queryCode ?? 'InternalError';
      Failed.push({ Id: e.id, Code: code, Message: (err as Error).message, SenderFault: true });
    }
  }
  parts.metric(q.name, 'NumberOfMessagesDeleted', Successful.length, 'Count');
  return { Successful, Failed };
}

interface ReceiveInput {
  url: string;
  max: number;
  wait?: number;
  visibility?: number;
  system: string[];
  user: string[];
}

function decodeReceive(raw: RawInput): ReceiveInput {
  const max = toNumber(raw.MaxNumberOfMessages) ?? 1;
  if (max < 1 || max > MAX_RECEIVE)
    throw sqsError(
      'InvalidParameterValue',
      'InvalidParameterValue',
      `Value ${max} for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and ${MAX_RECEIVE}, if provided.`,
    );
  return {
    url: queueUrl(raw),
    max,
    wait: toNumber(raw.WaitTimeSeconds),
    visibility: toNumber(raw.VisibilityTimeout),
    system: [
      ...asArray<string>(raw.AttributeNames),
      ...asArray<string>(raw.MessageSystemAttributeNames),
    ].map(String),
    user: asArray<string>(raw.MessageAttributeNames).map(String),
  };
}

async function receiveMessage(parts: SqsParts, i: ReceiveInput): Promise<Output> {
  const q = parts.store.get(i.url);
  const wait = Math.min(
    MAX_WAIT_SECONDS,
    i.wait ?? Number(q.attributes.ReceiveMessageWaitTimeSeconds ?? 0),
  );
  const deadline = Date.now() + wait * 1000;
  let got: StoredMessage[];
  for (;;) {
    got = parts.store.receive(q, { max: i.max, visibilityTimeout: i.visibility }, Date.now());
    if (got.length > 0 || Date.now() >= deadline || parts.closed()) break;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  parts.metric(q.name, 'NumberOfMessagesReceived', got.length, 'Count');
  if (got.length === 0) parts.metric(q.name, 'NumberOfEmptyReceives', 1, 'Count');
  const Messages = got.map((m) => received(m, i));
  return Messages.length > 0 ? { Messages } : {};
}

function received(m: StoredMessage, i: ReceiveInput): Record<string, unknown> {
  const attributes: Record<string, string> = {
    SenderId: ACCOUNT_ID,
    SentTimestamp: String(m.sentAt),
    ApproximateReceiveCount: String(m.receiveCount),
    ApproximateFirstReceiveTimestamp: String(m.firstReceiveAt ?? m.sentAt),
  };
  const all = (names: string[]) => names.includes('All') || names.includes('.*');
  const system = Object.fromEntries(
    Object.entries(attributes).filter(([k]) => all(i.system) || i.system.includes(k)),
  );
  const user = Object.fromEntries(
    Object.entries(m.messageAttributes ?? {}).filter(([k]) => all(i.user) || i.user.includes(k)),
  );
  return {
    MessageId: m.id,
    ReceiptHandle: m.receiptHandle,
    MD5OfBody: m.md5,
    Body: m.body,
    ...(Object.keys(system).length > 0 ? { Attributes: system } : {}),
    ...(Object.keys(user).length > 0
      ? { MessageAttributes: user, MD5OfMessageAttributes: m.md5OfMessageAttributes }
      : {}),
  };
}

export function sqsOperations(parts: SqsParts): Record<string, SqsOperation> {
  return { ...queueOperations(parts), ...messageOperations(parts) };
}
