/**
 * Kinesis at the edge (AWS JSON 1.1, X-Amz-Target Kinesis_20131202.<Op>):
 * kinesalite stores the streams; the edge adds what it lacks — AWS's
 * request limits, per-shard write limits refused before kinesalite sees a
 * record, UpdateShardCount, encryption, enhanced fan-out, the AWS/Kinesis
 * metrics. One operation table; each operation decodes its typed input.
 */
import { AWS_LIMITS, type EmulatorPlacement } from '../config';
import type { CloudContext, EdgeRequest, EdgeResponse, EdgeService } from '../contracts';
import { answerAwsError, AwsError, sendJson, unimplementedMessage } from '../edge/aws-errors';
import { writeBackendResponse } from '../edge/backend-proxy';
import {
  findOperation,
  parseJsonObject,
  targetOperation,
  type RawInput,
} from '../edge/operation-table';
import { streamNameOfArn } from './arns';
import { ConsumerRegistry, consumerOperations } from './consumers';
import { encryptionOperations } from './encryption';
import { AMZ_JSON, KinesisBackend } from './kinesis-backend';
import { kinesisStatePart } from './kinesis-persistence';
import { repairKinesisStore } from './kinesis-store-repair';
import { probeLevelDb } from '../persistence/level-probe';
import type { KinesisAnswer, KinesisCall, KinesisOperation, KinesisParts } from './kinesis-context';
import { readOperations } from './read-operations';
import { reshardOperations, resumeReshards, type ReshardLimits } from './reshard-operations';
import { parsePutRecordsBody } from './put-records-json';
import { KINESALITE_OPERATIONS, streamOperations } from './stream-operations';
import { StreamRegistry, type WriteLimits } from './stream-registry';
import { subscribeOperations } from './subscribe-to-shard';
import { writeOperations } from './write-operations';

const NS = 'AWS/Kinesis';
/** Operations whose input names streams and consumers by ARN (kept as sent). */
const ARN_NATIVE = new Set([
  'RegisterStreamConsumer',
  'DeregisterStreamConsumer',
  'DescribeStreamConsumer',
  'ListStreamConsumers',
  'SubscribeToShard',
]);

export type KinesisServiceOptions = WriteLimits &
  ReshardLimits & {
    /** Where kinesalite runs (default EMULATORS.placement: its own worker thread). */
    emulatorPlacement?: EmulatorPlacement;
  };

export class KinesisService implements EdgeService {
  readonly signingNames = ['kinesis'] as const;
  private readonly operations: Record<string, KinesisOperation>;
  private readonly streams: StreamRegistry;

  private constructor(
    ctx: CloudContext,
    private readonly backend: KinesisBackend,
    opts: KinesisServiceOptions,
  ) {
    const parts: KinesisParts = {
      ctx,
      backend,
      streams: new StreamRegistry(backend, opts),
      metric: (stream, name, value, unit) =>
        ctx.metrics.putMetric({
          namespace: NS,
          name,
          dimensions: { StreamName: stream },
          value,
          unit,
          timestamp: new Date(),
        }),
    };
    const consumers = new ConsumerRegistry();
    const journal = ctx.persistence?.register(kinesisStatePart(parts.streams, consumers));
    if (journal) parts.streams.journal = (e) => journal.append(e);
    this.operations = {
      ...streamOperations(parts, {
        consumerCount: (stream) => consumers.count(stream),
        streamDeleted: (stream) => consumers.streamDeleted(stream),
      }),
      ...writeOperations(parts),
      ...readOperations(parts),
      ...reshardOperations(parts, opts),
      ...encryptionOperations(parts),
      ...consumerOperations(parts, consumers),
      ...subscribeOperations(parts, consumers),
    };
    this.streams = parts.streams;
    resumeReshards(parts);
  }

  static async start(
    ctx: CloudContext,
    opts: KinesisServiceOptions = AWS_LIMITS.kinesis,
  ): Promise<KinesisService> {
    const path = ctx.persistence?.dir('kinesis');
    // A store that cannot be opened is one line now, not a failure inside the emulator's thread later.
    if (path) {
      await probeLevelDb(path, 'kinesis');
      for (const line of await repairKinesisStore(path)) ctx.log('kinesis', line);
    }
    const backend = await KinesisBackend.start({
      shardLimit: opts.shardLimit,
      path,
      placement: opts.emulatorPlacement,
      log: (line) => ctx.log('kinesis', line),
    });
    return new KinesisService(ctx, backend, opts);
  }

  async close(): Promise<void> {
    this.streams.closing = true;
    await this.backend.close();
  }

  async handle(req: EdgeRequest, body: Buffer, res: EdgeResponse): Promise<void> {
    const name = targetOperation(req.headers['x-amz-target']);
    try {
      if (String(req.headers['content-type'] ?? '').includes('cbor'))
        return await this.cbor(req, body, res, name);
      const op = findOperation(this.operations, name);
      if (!op)
        throw new AwsError('UnknownOperationException', unimplementedMessage('kinesis', name));
      const raw = name === 'PutRecords' ? parsePutRecordsBody(body) : parseJsonObject(body);
      const rewritten = !ARN_NATIVE.has(name) && nameStreamByArn(raw);
      const call: KinesisCall = { req, res, rawBody: rewritten ? undefined : body };
      answer(res, await op.call(raw, call));
    } catch (err) {
      if (!(err instanceof AwsError)) throw err;
      answerAwsError(res, 'json', err, { contentType: AMZ_JSON });
    }
  }

  /** CBOR (the Java SDK): kinesalite speaks it; the edge's additions do not. */
  private async cbor(req: EdgeRequest, body: Buffer, res: EdgeResponse, name: string) {
    if (!(KINESALITE_OPERATIONS as readonly string[]).includes(name) && !isPlainWrite(name))
      throw new AwsError(
        'UnknownOperationException',
        `${unimplementedMessage('kinesis', name)} over CBOR; disable CBOR (AWS_CBOR_DISABLE=1)`,
      );
    writeBackendResponse(res, await this.backend.send(req.headers, body));
  }
}

/** CBOR writes and reads pass to kinesalite as they are (no edge limits: the Java SDK's path). */
const isPlainWrite = (name: string) =>
  [
    'PutRecord',
    'PutRecords',
    'GetRecords',
    'CreateStream',
    'DeleteStream',
    'DescribeStream',
    'DescribeStreamSummary',
    'SplitShard',
    'MergeShards',
  ].includes(name);

function answer(res: EdgeResponse, a: KinesisAnswer): void {
  if ('json' in a) sendJson(res, a.json, AMZ_JSON);
  else if ('backend' in a) writeBackendResponse(res, a.backend, a.body);
}

/** Newer SDK calls may name the stream by ARN; kinesalite knows only names. True when rewritten. */
function nameStreamByArn(input: RawInput): boolean {
  if (typeof input.StreamARN !== 'string') return false;
  input.StreamName ??= streamNameOfArn(input.StreamARN) ?? input.StreamARN;
  delete input.StreamARN;
  return true;
}
