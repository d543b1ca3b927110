/**
 * The SQS event Lambda delivers, what its filter patterns see, and how a
 * ReportBatchItemFailures response names the messages to keep (pure).
 */
import { parseJsonOrUndefined } from '../filter/filter-criteria';

export interface QueueMessage {
  messageId: string;
  receiptHandle: string;
  body: string;
  md5OfBody: string;
  attributes: Record<string, string>;
  messageAttributes?: Record<
    string,
    { DataType?: string; StringValue?: string; BinaryValue?: unknown }
  >;
  md5OfMessageAttributes?: string;
}

export interface SqsEventRecord {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: Record<string, string>;
  messageAttributes: Record<string, unknown>;
  md5OfBody: string;
  md5OfMessageAttributes?: string;
  eventSource: 'aws:sqs';
  eventSourceARN: string;
  awsRegion: string;
}

export function sqsEventRecord(m: QueueMessage, queueArn: string, region: string): SqsEventRecord {
  const messageAttributes = Object.fromEntries(
    Object.entries(m.messageAttributes ?? {}).map(([name, a]) => [
      name,
      {
        ...(a.StringValue !== undefined ? { stringValue: a.StringValue } : {}),
        ...(a.BinaryValue !== undefined
          ? { binaryValue: Buffer.from(a.BinaryValue as Uint8Array).toString('base64') }
          : {}),
        stringListValues: [],
        binaryListValues: [],
        dataType: a.DataType ?? 'String',
      },
    ]),
  );
  return {
    messageId: m.messageId,
    receiptHandle: m.receiptHandle,
    body: m.body,
    attributes: m.attributes,
    messageAttributes,
    md5OfBody: m.md5OfBody,
    ...(m.md5OfMessageAttributes ? { md5OfMessageAttributes: m.md5OfMessageAttributes } : {}),
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}

/** A message as filter patterns see it: `body` parsed as JSON when it is JSON, else the plain string. */
export function sqsFilterView(r: SqsEventRecord): Record<string, unknown> {
  const parsed = parseJsonOrUndefined(r.body);
  return { ...r, body: parsed !== undefined && typeof parsed === 'object' ? parsed : r.body };
}

/**
 * The messages a response reports as failed: a set of message ids, 'all'
 * when the response is malformed or names a message not in the batch (AWS
 * then fails the whole batch), or an empty set.
 */
export function failedMessageIds(response: unknown, ids: readonly string[]): Set<string> | 'all' {
  if (response === null || typeof response !== 'object') return new Set();
  const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return new Set();
  if (!Array.isArray(failures)) return 'all';
  const out = new Set<string>();
  for (const f of failures) {
    const id = (f as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || !ids.includes(id)) return 'all';
    out.add(id);
  }
  return out;
}
