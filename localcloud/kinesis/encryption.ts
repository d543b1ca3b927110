/**
 * Server-side encryption as AWS reports it (kinesalite has none): Start/
 * StopStreamEncryption set it, DescribeStream(Summary) show EncryptionType
 * and KeyId, PutRecord(s) answer EncryptionType KMS, and GetRecords marks
 * each record that arrived while encryption was on. Nothing is encrypted
 * for real (no KMS here); the key id is reported as given.
 */
import { operation, type RawInput } from '../edge/operation-table';
import { kinesisFields, streamNotFound, validationError } from './kinesis-errors';
import type { KinesisOperation, KinesisParts } from './kinesis-context';
import type { EncryptedSpan, StreamState } from './stream-registry';

interface EncryptionInput {
  stream: string;
  keyId: string;
}

const decode = (raw: RawInput): EncryptionInput => {
  const f = kinesisFields(raw);
  const type = f.str('EncryptionType');
  if (type !== 'KMS')
    throw validationError([
      {
        value: `'${type}'`,
        at: 'encryptionType',
        constraint: 'Member must satisfy enum value set: [KMS]',
      },
    ]);
  return { stream: f.str('StreamName'), keyId: f.str('KeyId') };
};

export function encryptionOperations(parts: KinesisParts): Record<string, KinesisOperation> {
  const stream = async (name: string): Promise<StreamState> => {
    const state = await parts.streams.get(name);
    if (!state?.open) throw streamNotFound(name);
    return state;
  };
  return {
    StartStreamEncryption: operation(decode, async ({ stream: name, keyId }) => {
      const state = await stream(name);
      if (!state.encryption) state.encryptedSpans.push({ from: Date.now() });
      state.encryption = { type: 'KMS', keyId };
      parts.ctx.log('kinesis', `${name}: server-side encryption on (KMS ${keyId})`);
      return { json: {} };
    }),
    StopStreamEncryption: operation(decode, async ({ stream: name }) => {
      const state = await stream(name);
      const open = state.encryptedSpans.at(-1);
      if (state.encryption && open && open.to === undefined) open.to = Date.now();
      state.encryption = undefined;
      return { json: {} };
    }),
  };
}

/** A PutRecord(s) answer with EncryptionType KMS added when the stream encrypts; undefined = unchanged. */
export function patchEncryptionType(body: Buffer, state: StreamState): Buffer | undefined {
  if (!state.encryption || body[0] !== 0x7b /* { */) return undefined;
  return Buffer.concat([Buffer.from('{"EncryptionType":"KMS",'), body.subarray(1)]);
}

const within = (spans: readonly EncryptedSpan[], ms: number) =>
  spans.some((s) => ms >= s.from && (s.to === undefined || ms < s.to));

/** EncryptionType KMS on each record that arrived while encryption was on. */
export function markEncrypted(
  records: Array<Record<string, unknown>>,
  spans: readonly EncryptedSpan[],
): void {
  if (spans.length === 0) return;
  for (const r of records) {
    const arrival = Number(r.ApproximateArrivalTimestamp) * 1000;
    if (within(spans, arrival)) r.EncryptionType = 'KMS';
  }
}

/** A GetRecords answer (text) with its encrypted records marked. */
export function markEncryptedRecords(text: string, spans: readonly EncryptedSpan[]): string {
  const out = JSON.parse(text) as { Records?: Array<Record<string, unknown>> };
  markEncrypted(out.Records ?? [], spans);
  return JSON.stringify(out);
}
