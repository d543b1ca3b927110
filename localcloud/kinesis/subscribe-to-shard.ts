/**
 * SubscribeToShard: an HTTP/2 (or chunked HTTP/1.1) response carrying an
 * AWS event stream, as the SDK's KinesisClient consumes it — an
 * initial-response, then SubscribeToShardEvents with the records as they
 * arrive (a write through the edge wakes the subscription at once: AWS's
 * push latency class), an empty event when idle, ChildShards at the end of
 * a closed shard. AWS's rules: the consumer must be ACTIVE, one
 * subscription per consumer and shard (a new one may start 5 s after the
 * last and replaces it), and a subscription lasts 5 minutes.
 */
import { AWS_LIMITS, KINESIS_EDGE } from '../config';
import type { EdgeResponse } from '../contracts';
import { AwsError } from '../edge/aws-errors';
import { operation, type RawInput } from '../edge/operation-table';
import { consumerNotFound, type Consumer, type ConsumerRegistry } from './consumers';
import { markEncrypted } from './encryption';
import { eventMessage, exceptionMessage } from './event-stream';
import { kinesisFields, validationError } from './kinesis-errors';
import type { KinesisAnswer, KinesisOperation, KinesisParts } from './kinesis-context';
import { incrementSequence, parseSequence, stringifySequence } from './kinesalite-fast-paths';
import { childShards } from './read-operations';
import { decodeIterator } from './shard-iterator';

interface SubscribeInput {
  consumerArn: string;
  shardId: string;
  position: RawInput;
}

interface Subscription {
  startedAt: number;
  end(): void;
}

interface ReadPage {
  Records?: Array<Record<string, unknown>>;
  NextShardIterator?: string;
  MillisBehindLatest?: number;
}

const decode = (raw: RawInput): SubscribeInput => {
  const f = kinesisFields(raw);
  const position = f.obj('StartingPosition');
  if (!position)
    throw validationError([
      { value: 'null', at: 'startingPosition', constraint: 'Member must not be null' },
    ]);
  kinesisFields(position).str('Type');
  return { consumerArn: f.str('ConsumerARN'), shardId: f.str('ShardId'), position };
};

export function subscribeOperations(
  parts: KinesisParts,
  consumers: ConsumerRegistry,
): Record<string, KinesisOperation> {
  const active = new Map<string, Subscription>();
  consumers.onGone((c) => {
    for (const [key, s] of active) if (key.startsWith(`${c.arn}|`)) s.end();
  });
  return {
    SubscribeToShard: operation(decode, (i, call) =>
      subscribe(parts, consumers, active, i, call.res),
    ),
  };
}

async function subscribe(
  parts: KinesisParts,
  consumers: ConsumerRegistry,
  active: Map<string, Subscription>,
  { consumerArn, shardId, position }: SubscribeInput,
  res: EdgeResponse,
): Promise<KinesisAnswer> {
  const consumer = consumers.byArn(consumerArn);
  if (!consumer) throw consumerNotFound(consumerArn);
  if (consumer.status !== 'ACTIVE')
    throw new AwsError(
      'ResourceInUseException',
      `Consumer ${consumerArn} is not in ACTIVE state (${consumer.status}).`,
    );
  const key = `${consumerArn}|${shardId}`;
  const previous = active.get(key);
  if (previous && Date.now() - previous.startedAt < KINESIS_EDGE.resubscribeMs)
    throw new AwsError(
      'ResourceInUseException',
      `Another active subscription exists for consumer ${consumerArn} on shard ${shardId}; subscribe again at most every ${KINESIS_EDGE.resubscribeMs / 1000} s.`,
    );
  const iterator = await firstIterator(parts, consumer, shardId, position);
  previous?.end();
  let ended = false;
  const sub: Subscription = { startedAt: Date.now(), end: () => (ended = true) };
  active.set(key, sub);
  res.once('close', sub.end);
  res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream' });
  res.write(eventMessage('initial-response', {}));
  try {
    await pump(parts, consumer, shardId, iterator, res, () => ended);
  } catch (err) {
    const e =
      err instanceof AwsError ? err : new AwsError('InternalFailureException', String(err), 500);
    if (!res.writableEnded) res.write(exceptionMessage(e.code, e.message));
  } finally {
    if (active.get(key) === sub) active.delete(key);
    if (!res.writableEnded) res.end();
  }
  return { streamed: true };
}

/** Where the subscription starts, as a kinesalite iterator; refusals before the stream opens. */
async function firstIterator(
  parts: KinesisParts,
  consumer: Consumer,
  shardId: string,
  position: RawInput,
): Promise<string> {
  const r = await parts.backend.call('GetShardIterator', {
    StreamName: consumer.streamName,
    ShardId: shardId,
    ShardIteratorType: position.Type,
    ...(position.SequenceNumber !== undefined
      ? { StartingSequenceNumber: position.SequenceNumber }
      : {}),
    ...(position.Timestamp !== undefined ? { Timestamp: position.Timestamp } : {}),
  });
  if (r.status !== 200) {
    const type = String(r.json.__type ?? 'InvalidArgumentException');
    throw new AwsError(
      type.slice(type.lastIndexOf('#') + 1),
      String(r.json.message ?? r.json.Message ?? ''),
      r.status,
    );
  }
  return String(r.json.ShardIterator);
}

/** The number AFTER_SEQUENCE_NUMBER continues from to read at `seq` (kinesalite's AFTER is one step on). */
export function sequenceBefore(seq: string): string {
  const p = parseSequence(seq);
  const before = stringifySequence({ ...p, byte1: undefined, seqTime: (p.seqTime ?? 0) - 1000 });
  return incrementSequence(before) === seq ? before : seq;
}

async function pump(
  parts: KinesisParts,
  consumer: Consumer,
  shardId: string,
  firstIt: string,
  res: EdgeResponse,
  ended: () => boolean,
): Promise<void> {
  const deadline = Date.now() + AWS_LIMITS.kinesis.subscriptionMs;
  const at = decodeIterator(firstIt)?.sequence;
  let continuation = at ? sequenceBefore(at) : undefined;
  let iterator: string | undefined = firstIt;
  let lastEvent = 0;
  while (iterator && !ended() && Date.now() < deadline && consumer.status === 'ACTIVE') {
    const r = await parts.backend.call('GetRecords', {
      ShardIterator: iterator,
      Limit: KINESIS_EDGE.readLimit,
    });
    if (r.status !== 200)
      throw new AwsError(
        String(r.json.__type ?? 'InternalFailureException'),
        String(r.json.message ?? ''),
        r.status,
      );
    const page = r.json as ReadPage;
    const records = page.Records ?? [];
    markEncrypted(records, parts.streams.peek(consumer.streamName)?.encryptedSpans ?? []);
    const last = records.at(-1);
    if (last) continuation = String(last.SequenceNumber);
    iterator = page.NextShardIterator;
    const now = Date.now();
    const behind = last ? Math.max(0, now - Number(last.ApproximateArrivalTimestamp) * 1000) : 0;
    if (!iterator) {
      // the end of a closed shard: its children, and no continuation
      const children = await childShards(parts, consumer.streamName, shardId);
      await send(res, { Records: records, MillisBehindLatest: 0, ChildShards: children });
      return;
    }
    if (records.length > 0 || now - lastEvent >= KINESIS_EDGE.idleEventMs) {
      await send(res, {
        Records: records,
        ContinuationSequenceNumber: continuation,
        MillisBehindLatest: records.length >= KINESIS_EDGE.readLimit ? behind : 0,
      });
      lastEvent = now;
    }
    if (records.length < KINESIS_EDGE.readLimit)
      await parts.streams.nextWrite(
        consumer.streamName,
        Math.min(KINESIS_EDGE.idlePollMs, deadline - now),
      );
  }
}

/** Writes one event; a slow client holds the subscription back (drain), a gone one ends it (close). */
async function send(res: EdgeResponse, event: Record<string, unknown>): Promise<void> {
  if (res.writableEnded) return;
  if (!res.write(eventMessage('SubscribeToShardEvent', event)))
    await new Promise<void>((resolve) => {
      res.once('drain', resolve);
      res.once('close', resolve);
    });
}
