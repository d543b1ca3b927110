/**
 * Enhanced fan-out consumers (AWS::Kinesis::StreamConsumer), which
 * kinesalite lacks: Register/Describe/List/DeregisterStreamConsumer with
 * AWS's ARNs (`<stream ARN>/consumer/<name>:<creation seconds>`), states
 * (CREATING → ACTIVE, DELETING → gone) and limits (20 per stream). A
 * consumer's subscriptions (subscribe-to-shard.ts) end when it goes.
 */
import { AWS_LIMITS, KINESIS_EDGE } from '../config';
import { AwsError } from '../edge/aws-errors';
import { operation, type RawInput } from '../edge/operation-table';
import { consumerArn, parseConsumerArn, streamArn, streamNameOfArn } from './arns';
import { kinesisFields, streamNotFound, validationError } from './kinesis-errors';
import type { KinesisOperation, KinesisParts } from './kinesis-context';

export type ConsumerStatus = 'CREATING' | 'ACTIVE' | 'DELETING';

export interface Consumer {
  name: string;
  arn: string;
  streamName: string;
  streamArn: string;
  status: ConsumerStatus;
  createdMs: number;
}

const NAME = /^[a-zA-Z0-9_.-]{1,128}$/;
const DEFAULT_PAGE = 100;

export class ConsumerRegistry {
  /** stream name → consumer name → consumer */
  private readonly byStream = new Map<string, Map<string, Consumer>>();
  private readonly goneListeners: Array<(c: Consumer) => void> = [];

  onGone(listener: (c: Consumer) => void): void {
    this.goneListeners.push(listener);
  }

  list(stream: string): Consumer[] {
    return [...(this.byStream.get(stream)?.values() ?? [])];
  }

  all(): Consumer[] {
    return [...this.byStream.values()].flatMap((m) => [...m.values()]);
  }

  count(stream: string): number {
    return this.byStream.get(stream)?.size ?? 0;
  }

  byArn(arn: string): Consumer | undefined {
    const parsed = parseConsumerArn(arn);
    const stream = parsed && streamNameOfArn(parsed.streamArn);
    const c = stream ? this.byStream.get(stream)?.get(parsed.name) : undefined;
    return c?.arn === arn ? c : undefined;
  }

  byName(stream: string, name: string): Consumer | undefined {
    return this.byStream.get(stream)?.get(name);
  }

  add(c: Consumer): void {
    let m = this.byStream.get(c.streamName);
    if (!m) this.byStream.set(c.streamName, (m = new Map()));
    m.set(c.name, c);
  }

  remove(c: Consumer): void {
    const m = this.byStream.get(c.streamName);
    if (m?.get(c.name) !== c) return;
    m.delete(c.name);
    if (m.size === 0) this.byStream.delete(c.streamName);
    for (const l of this.goneListeners) l(c);
  }

  /** The stream was deleted: its consumers go with it. */
  streamDeleted(stream: string): void {
    for (const c of this.list(stream)) this.remove(c);
  }
}

export const consumerNotFound = (what: string) =>
  new AwsError('ResourceNotFoundException', `Consumer ${what} not found.`);

const description = (c: Consumer) => ({
  ConsumerName: c.name,
  ConsumerARN: c.arn,
  ConsumerStatus: c.status,
  ConsumerCreationTimestamp: c.createdMs / 1000,
});

interface ConsumerRef {
  arn?: string;
  stream?: string;
  name?: string;
}

/** A consumer named by ConsumerARN, or by StreamARN and ConsumerName (both forms AWS accepts). */
const decodeRef = (raw: RawInput): ConsumerRef => {
  const f = kinesisFields(raw);
  const arn = f.optStr('ConsumerARN');
  if (arn) return { arn };
  const stream = streamNameOfArn(f.str('StreamARN'));
  return { stream, name: f.str('ConsumerName') };
};

/** A consumer's state changes (CREATING → ACTIVE, DELETING → gone) take a moment, as on AWS. */
const afterTransition = (fn: () => void) =>
  setTimeout(fn, KINESIS_EDGE.consumerTransitionMs).unref();

export function consumerOperations(
  parts: KinesisParts,
  consumers: ConsumerRegistry,
): Record<string, KinesisOperation> {
  const find = (ref: ConsumerRef): Consumer => {
    const c = ref.arn
      ? consumers.byArn(ref.arn)
      : consumers.byName(ref.stream ?? '', ref.name ?? '');
    if (!c) throw consumerNotFound(ref.arn ?? `${ref.name} of stream ${ref.stream}`);
    return c;
  };
  return {
    RegisterStreamConsumer: registerOperation(parts, consumers),
    DescribeStreamConsumer: operation(decodeRef, (ref) => {
      const c = find(ref);
      return { json: { ConsumerDescription: { ...description(c), StreamARN: c.streamArn } } };
    }),
    ListStreamConsumers: listOperation(parts, consumers),
    DeregisterStreamConsumer: operation(decodeRef, (ref) => {
      const c = find(ref);
      c.status = 'DELETING';
      afterTransition(() => consumers.remove(c));
      return { json: {} };
    }),
  };
}

function registerOperation(parts: KinesisParts, consumers: ConsumerRegistry): KinesisOperation {
  return operation(
    (raw) => {
      const f = kinesisFields(raw);
      const arn = f.str('StreamARN');
      const name = f.str('ConsumerName');
      if (!NAME.test(name))
        throw validationError([
          {
            value: `'${name}'`,
            at: 'consumerName',
            constraint: 'Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+',
          },
        ]);
      return { arn, name, stream: streamNameOfArn(arn) ?? '' };
    },
    async ({ arn, name, stream }) => {
      if (!(await parts.streams.get(stream))?.open) throw streamNotFound(stream || arn);
      if (consumers.byName(stream, name))
        throw new AwsError(
          'ResourceInUseException',
          `Consumer ${name} under stream ${stream} already exists.`,
        );
      if (consumers.count(stream) >= AWS_LIMITS.kinesis.consumersPerStream)
        throw new AwsError(
          'LimitExceededException',
          `Stream ${stream} already has ${AWS_LIMITS.kinesis.consumersPerStream} registered consumers, the limit.`,
        );
      const createdMs = Date.now();
      const sArn = streamArn(parts.ctx.region, stream);
      const c: Consumer = {
        name,
        arn: consumerArn(sArn, name, createdMs),
        streamName: stream,
        streamArn: sArn,
        status: 'CREATING',
        createdMs,
      };
      consumers.add(c);
      afterTransition(() => {
        if (c.status === 'CREATING') c.status = 'ACTIVE';
      });
      return { json: { Consumer: description(c) } };
    },
  );
}

function listOperation(parts: KinesisParts, consumers: ConsumerRegistry): KinesisOperation {
  return operation(
    (raw) => {
      const f = kinesisFields(raw);
      const arn = f.str('StreamARN');
      const token = f.optStr('NextToken');
      return {
        arn,
        stream: streamNameOfArn(arn) ?? '',
        max: f.optNum('MaxResults') ?? DEFAULT_PAGE,
        from: token ? Number(Buffer.from(token, 'base64').toString()) || 0 : 0,
      };
    },
    async ({ arn, stream, max, from }) => {
      if (!(await parts.streams.get(stream))?.open) throw streamNotFound(stream || arn);
      const all = consumers.list(stream).sort((a, b) => a.createdMs - b.createdMs);
      const page = all.slice(from, from + max);
      const next =
        from + max < all.length ? Buffer.from(String(from + max)).toString('base64') : undefined;
      return { json: { Consumers: page.map(description), ...(next ? { NextToken: next } : {}) } };
    },
  );
}
