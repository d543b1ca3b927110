/**
 * The SQS query protocol's shapes (pure): its form parameters into the JSON
 * protocol's input (lists of Name/Value pairs into maps, `…Entry` lists into
 * Entries, the queue named by the path), and outputs as its XML (flattened
 * lists with singular element names).
 */
import type { EdgeRequest } from '../contracts';
import { xmlEscape } from '../edge/aws-errors';
import type { RawInput } from '../edge/operation-table';
import { asArray } from '../edge/query-protocol';
import type { MessageAttributeValue } from './queue-store';

const LISTS: Record<string, string> = {
  AttributeName: 'AttributeNames',
  MessageAttributeName: 'MessageAttributeNames',
  MessageSystemAttributeName: 'MessageSystemAttributeNames',
  SendMessageBatchRequestEntry: 'Entries',
  DeleteMessageBatchRequestEntry: 'Entries',
  ChangeMessageVisibilityBatchRequestEntry: 'Entries',
};

/** Query-protocol lists of Name/Value pairs become the JSON protocol's maps. */
export function fromQueryShape(p: RawInput): RawInput {
  const out: RawInput = { ...p };
  const pairs = (key: string, target: string, value: (e: RawInput) => unknown) => {
    if (!Array.isArray(p[key])) return;
    out[target] = Object.fromEntries(asArray(p[key]).map((e) => [String(e.Name), value(e)]));
    delete out[key];
  };
  pairs('Attribute', 'Attributes', (e) => String(e.Value));
  pairs('MessageAttribute', 'MessageAttributes', (e) => e.Value);
  for (const [from, to] of Object.entries(LISTS)) {
    if (p[from] === undefined) continue;
    out[to] = from.endsWith('Entry')
      ? asArray(p[from]).map((e) => (Array.isArray(e.MessageAttribute) ? fromQueryShape(e) : e))
      : p[from];
    delete out[from];
  }
  return out;
}

/** A query request's input, the queue taken from the path when the form does not name it. */
export function fromQueryRequest(params: RawInput, req: EdgeRequest): RawInput {
  const input = fromQueryShape(params);
  const path = (req.url ?? '').split('?')[0]!;
  if (input.QueueUrl === undefined && /^\/\d{12}\/[^/?]+/.test(path)) input.QueueUrl = path;
  return input;
}

const el = (name: string, v: unknown): string => `<${name}>${xmlEscape(String(v))}</${name}>`;

function attributeXml(n: string, a: MessageAttributeValue): string {
  const value =
    (a.StringValue !== undefined ? el('StringValue', a.StringValue) : '') +
    (a.BinaryValue !== undefined ? el('BinaryValue', a.BinaryValue) : '') +
    el('DataType', a.DataType);
  return `<MessageAttribute>${el('Name', n)}<Value>${value}</Value></MessageAttribute>`;
}

function batchEntryName(k: string, v: unknown): string {
  if (k === 'Failed') return 'BatchResultErrorEntry';
  const first = asArray(v)[0] ?? {};
  return 'Id' in first && 'MessageId' in first
    ? 'SendMessageBatchResultEntry'
    : 'DeleteMessageBatchResultEntry';
}

/** SQS query responses use flattened lists with singular element names. */
export function sqsXml(o: Record<string, unknown>): string {
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
    else if (k === 'MessageAttributes')
      parts.push(
        ...Object.entries(v as Record<string, MessageAttributeValue>).map(([n, a]) =>
          attributeXml(n, a),
        ),
      );
    else if (k === 'Successful' || k === 'Failed') {
      const name = batchEntryName(k, v);
      parts.push(...asArray(v).map((e) => `<${name}>${sqsXml(e)}</${name}>`));
    } else if (typeof v === 'object')
      parts.push(`<${k}>${sqsXml(v as Record<string, unknown>)}</${k}>`);
    else parts.push(el(k, v));
  }
  return parts.join('');
}
