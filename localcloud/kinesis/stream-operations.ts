/**
 * The stream-level Kinesis operations: those kinesalite answers alone
 * (forwarded as sent), those the edge keeps its state in step with (create,
 * delete, split, merge), and DescribeStream(Summary) with what only the edge
 * knows — UPDATING while it reshards, encryption, stream mode, consumers.
 */
import { operation, type RawInput } from '../edge/operation-table';
import {
  forwardBody,
  type KinesisAnswer,
  type KinesisCall,
  type KinesisOperation,
  type KinesisParts,
} from './kinesis-context';

/** Operations kinesalite answers as AWS would, the edge adding nothing. */
export const KINESALITE_OPERATIONS = [
  'AddTagsToStream',
  'GetShardIterator',
  'ListShards',
  'ListStreams',
  'ListTagsForStream',
  'RemoveTagsFromStream',
  'IncreaseStreamRetentionPeriod',
  'DecreaseStreamRetentionPeriod',
] as const;

/** An on-demand stream starts with 4 shards, as on AWS. */
const ON_DEMAND_SHARDS = 4;

const asIs = (raw: RawInput) => raw;

export interface StreamHooks {
  /** Enhanced fan-out consumers registered on the stream (DescribeStreamSummary's ConsumerCount). */
  consumerCount(streamName: string): number;
  /** The stream is gone: so are its consumers. */
  streamDeleted(streamName: string): void;
}

export function streamOperations(
  parts: KinesisParts,
  hooks: StreamHooks,
): Record<string, KinesisOperation> {
  const forward = async (raw: RawInput, call: KinesisCall): Promise<KinesisAnswer> => ({
    backend: await parts.backend.send(call.req.headers, forwardBody(call, raw)),
  });
  const table: Record<string, KinesisOperation> = {};
  for (const name of KINESALITE_OPERATIONS) table[name] = operation(asIs, forward);
  const rewritten = (raw: RawInput, call: KinesisCall) =>
    forward(raw, { ...call, rawBody: undefined });
  return {
    ...table,
    CreateStream: operation(asIs, (raw, call) => {
      const onDemand =
        (raw.StreamModeDetails as { StreamMode?: string } | undefined)?.StreamMode === 'ON_DEMAND';
      raw.ShardCount ??= ON_DEMAND_SHARDS;
      delete raw.StreamModeDetails; // kinesalite knows only provisioned streams
      parts.streams.forget(String(raw.StreamName));
      if (onDemand) parts.streams.markOnDemand(String(raw.StreamName));
      return rewritten(raw, call);
    }),
    DeleteStream: operation(asIs, async (raw, call) => {
      const answer = await forward(raw, call);
      const name = String(raw.StreamName);
      parts.streams.forget(name);
      hooks.streamDeleted(name);
      return answer;
    }),
    SplitShard: operation(asIs, (raw, call) => {
      parts.streams.invalidate(String(raw.StreamName));
      return forward(raw, call);
    }),
    MergeShards: operation(asIs, (raw, call) => {
      parts.streams.invalidate(String(raw.StreamName));
      return forward(raw, call);
    }),
    DescribeStream: operation(asIs, (raw, call) => describe(parts, hooks, raw, call)),
    DescribeStreamSummary: operation(asIs, (raw, call) => describe(parts, hooks, raw, call)),
  };
}

async function describe(
  parts: KinesisParts,
  hooks: StreamHooks,
  raw: RawInput,
  call: KinesisCall,
): Promise<KinesisAnswer> {
  const out = await parts.backend.send(call.req.headers, forwardBody(call, raw));
  if (out.status !== 200) return { backend: out };
  const name = String(raw.StreamName ?? '');
  const state = parts.streams.peek(name);
  const parsed = JSON.parse(out.body.toString('utf8')) as Record<
    string,
    Record<string, unknown> | undefined
  >;
  const d = parsed.StreamDescription ?? parsed.StreamDescriptionSummary;
  if (d) {
    if (state?.resharding) d.StreamStatus = 'UPDATING';
    d.EncryptionType = state?.encryption ? 'KMS' : 'NONE';
    if (state?.encryption) d.KeyId = state.encryption.keyId;
    d.StreamModeDetails = {
      StreamMode: parts.streams.isOnDemand(name) ? 'ON_DEMAND' : 'PROVISIONED',
    };
    if (parsed.StreamDescriptionSummary) d.ConsumerCount = hooks.consumerCount(name);
  }
  return { json: parsed };
}
