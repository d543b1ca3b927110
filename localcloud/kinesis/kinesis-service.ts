/**
 * Kinesis at the edge: kinesalite (in-process, in-memory, on an internal
 * loopback port) does the stream storage; this service proxies to it and adds
 * what it lacks — UpdateShardCount (uniform scaling through SplitShard /
 * MergeShards, so lineage is what AWS gives), per-shard write limits answered
 * per record with ProvisionedThroughputExceededException, stream encryption
 * flags, and the AWS/Kinesis service metrics.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import kinesalite from 'kinesalite';
import type { CloudContext, EdgeRequest, EdgeResponse, EdgeService } from '../contracts';
import { AwsError, sendAwsError, sendJson, unimplementedMessage } from '../edge/aws-errors';
import { BackendProxy, writeBackendResponse, type BackendResponse } from '../edge/backend-proxy';
import {
  base64DecodedLength,
  nextReshardStep,
  recordHashKey,
  shardFor,
  type ShardRange,
} from './shard-hash';
import { installKinesaliteFastPaths } from './kinesalite-fast-paths';
import { decodeIterator } from './shard-iterator';
import { ShardWriteLimiter } from './token-bucket';
import { ACCOUNT_ID as ACCOUNT } from '../config';

const AMZ_JSON = 'application/x-amz-json-1.1';
const TARGET = 'Kinesis_20131202';
const NS = 'AWS/Kinesis';

/** Shard maps are re-read at most this often (SplitShard/MergeShards called directly change them). */
const SHARD_MAP_TTL_MS = 1000;

const KINESALITE_OPERATIONS = new Set([
  'AddTagsToStream',
  'CreateStream',
  'DeleteStream',
  'DescribeStream',
  'DescribeStreamSummary',
  'GetRecords',
  'GetShardIterator',
  'ListShards',
  'ListStreams',
  'ListTagsForStream',
  'MergeShards',
  'PutRecord',
  'PutRecords',
  'RemoveTagsFromStream',
  'SplitShard',
  'IncreaseStreamRetentionPeriod',
  'DecreaseStreamRetentionPeriod',
]);

export interface KinesisServiceOptions {
  shardRecordsPerSecond: number;
  shardBytesPerSecond: number;
  /** AWS allows 10 UpdateShardCount calls per rolling 24 h per stream. */
  shardUpdatesPerDay: number;
  /** Account-wide open shard limit (AWS default 500 in us-east-1). */
  shardLimit: number;
}

interface StreamEdgeState {
  open?: ShardRange[];
  loadedAt: number;
  loading?: Promise<ShardRange[] | undefined>;
  limiters: Map<string, ShardWriteLimiter>;
  resharding: boolean;
  encryption?: { type: string; keyId: string };
  updateTimes: number[];
}

interface PutRecordsEntry {
  Data?: string;
  PartitionKey?: string;
  ExplicitHashKey?: string;
}

interface ListedShard {
  ShardId: string;
  HashKeyRange: { StartingHashKey: string; EndingHashKey: string };
  SequenceNumberRange: { EndingSequenceNumber?: string };
}

export class KinesisService implements EdgeService {
  readonly signingNames = ['kinesis'] as const;
  private readonly streams = new Map<string, StreamEdgeState>();

  private constructor(
    private readonly ctx: CloudContext,
    private readonly server: Server,
    private readonly backend: BackendProxy,
    private readonly opts: KinesisServiceOptions,
  ) {}

  static async start(ctx: CloudContext, opts: KinesisServiceOptions): Promise<KinesisService> {
    installKinesaliteFastPaths();
    const server = kinesalite({
      createStreamMs: 5,
      deleteStreamMs: 5,
      updateStreamMs: 5,
      shardLimit: opts.shardLimit,
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const port = (server.address() as AddressInfo).port;
    return new KinesisService(ctx, server, new BackendProxy(port), opts);
  }

  async close(): Promise<void> {
    this.backend.close();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  async handle(req: EdgeRequest, body: Buffer, res: EdgeResponse): Promise<void> {
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.slice(target.indexOf('.') + 1);
    const isJson = !String(req.headers['content-type'] ?? '').includes('cbor');
    try {
      if (!isJson) {
        // CBOR (Java SDK): kinesalite speaks it; the edge extensions do not.
        if (KINESALITE_OPERATIONS.has(operation)) {
          writeBackendResponse(
            res,
            await this.backend.send('POST', req.url ?? '/', req.headers, body),
          );
          return;
        }
        throw new AwsError(
          'UnknownOperationException',
          `${unimplementedMessage('kinesis', operation)} over CBOR; disable CBOR (AWS_CBOR_DISABLE=1)`,
        );
      }
      const input = parseJson(body);
      const byArn = normaliseStreamArn(input);
      switch (operation) {
        case 'PutRecords':
          return await this.putRecords(req, input, res, byArn ? undefined : body);
        case 'PutRecord':
          return await this.putRecord(req, input, res);
        case 'GetRecords':
          return await this.getRecords(req, input, res);
        case 'UpdateShardCount':
          return sendJson(res, await this.updateShardCount(input), AMZ_JSON);
        case 'StartStreamEncryption':
        case 'StopStreamEncryption':
          return sendJson(res, await this.setEncryption(operation, input), AMZ_JSON);
        case 'DescribeStream':
        case 'DescribeStreamSummary':
          return await this.describe(req, input, res);
        case 'CreateStream':
          if (input.ShardCount === undefined) input.ShardCount = 4; // on-demand streams start with 4 shards
          delete input.StreamModeDetails;
          this.streams.delete(String(input.StreamName));
          return await this.forward(req, input, res);
        case 'DeleteStream':
          this.streams.delete(String(input.StreamName));
          return await this.forward(req, input, res);
        case 'SplitShard':
        case 'MergeShards':
          this.invalidate(String(input.StreamName));
          return await this.forward(req, input, res);
        default:
          if (!KINESALITE_OPERATIONS.has(operation)) {
            throw new AwsError(
              'UnknownOperationException',
              unimplementedMessage('kinesis', operation || target),
            );
          }
          return await this.forward(req, input, res);
      }
    } catch (err) {
      if (err instanceof AwsError) {
        sendAwsError(
          res,
          'json',
          { code: err.code, message: err.message, status: err.status },
          AMZ_JSON,
        );
        return;
      }
      throw err;
    }
  }

  // ---- proxying ---------------------------------------------------------

  private async forward(
    req: EdgeRequest,
    input: Record<string, unknown>,
    res: EdgeResponse,
  ): Promise<void> {
    writeBackendResponse(res, await this.send(req, input));
  }

  private send(req: EdgeRequest, input: unknown): Promise<BackendResponse> {
    return this.backend.send('POST', '/', req.headers, Buffer.from(JSON.stringify(input)));
  }

  // ---- writes with per-shard limits -------------------------------------

  /** `rawBody`: the request as received, forwarded as is when no record is throttled (saves re-encoding 500 records). */
  private async putRecords(
    req: EdgeRequest,
    input: Record<string, unknown>,
    res: EdgeResponse,
    rawBody?: Buffer,
  ): Promise<void> {
    const name = String(input.StreamName ?? '');
    const records = Array.isArray(input.Records) ? (input.Records as PutRecordsEntry[]) : [];
    const state = name ? await this.streamState(name) : undefined;
    if (!state?.open || records.length === 0) return this.forward(req, input, res); // let kinesalite validate
    const now = Date.now();
    const accepted: PutRecordsEntry[] = [];
    const verdicts: Array<{ shardId: string } | null> = [];
    let acceptedBytes = 0;
    for (const r of records) {
      const dataBytes = typeof r.Data === 'string' ? base64DecodedLength(r.Data) : 0;
      const shard = this.shardOf(state, r);
      if (
        shard &&
        !this.limiter(state, shard.shardId, now).tryTake(
          dataBytes + Buffer.byteLength(r.PartitionKey ?? ''),
          now,
        )
      ) {
        verdicts.push({ shardId: shard.shardId });
      } else {
        verdicts.push(null);
        accepted.push(r);
        acceptedBytes += dataBytes;
      }
    }
    const throttled = records.length - accepted.length;
    const metrics = (failedInBackend: number) => {
      const succeeded = accepted.length - failedInBackend;
      this.metric(name, 'IncomingRecords', succeeded, 'Count');
      this.metric(name, 'IncomingBytes', acceptedBytes, 'Bytes');
      this.metric(name, 'PutRecords.TotalRecords', records.length, 'Count');
      this.metric(name, 'PutRecords.SuccessfulRecords', succeeded, 'Count');
      this.metric(name, 'PutRecords.ThrottledRecords', throttled, 'Count');
      this.metric(name, 'PutRecords.Bytes', acceptedBytes, 'Bytes');
      this.metric(name, 'WriteProvisionedThroughputExceeded', throttled, 'Count');
    };
    if (throttled === 0) {
      // nothing to merge: kinesalite's answer is the answer
      const r = rawBody
        ? await this.backend.send('POST', '/', req.headers, rawBody)
        : await this.send(req, input);
      if (r.status === 200) {
        const failed = /"FailedRecordCount":(\d+)/.exec(r.body.toString('latin1', 0, 64));
        metrics(failed ? Number(failed[1]) : 0);
      }
      writeBackendResponse(res, r);
      return;
    }
    let backendOut: { FailedRecordCount?: number; Records?: unknown[]; EncryptionType?: string } =
      {};
    if (accepted.length > 0) {
      const r = await this.send(req, { ...input, Records: accepted });
      if (r.status !== 200) {
        writeBackendResponse(res, r);
        return;
      }
      backendOut = JSON.parse(r.body.toString('utf8')) as typeof backendOut;
    }
    const backendRecords = backendOut.Records ?? [];
    let next = 0;
    const merged = verdicts.map((v) =>
      v === null
        ? backendRecords[next++]
        : {
            ErrorCode: 'ProvisionedThroughputExceededException',
            ErrorMessage: `Rate exceeded for shard ${v.shardId} in stream ${name} under account ${ACCOUNT}.`,
          },
    );
    const failedInBackend = backendOut.FailedRecordCount ?? 0;
    metrics(failedInBackend);
    const out: Record<string, unknown> = {
      FailedRecordCount: failedInBackend + throttled,
      Records: merged,
    };
    out.EncryptionType = backendOut.EncryptionType ?? (state.encryption ? 'KMS' : 'NONE');
    sendJson(res, out, AMZ_JSON);
  }

  private async putRecord(
    req: EdgeRequest,
    input: Record<string, unknown>,
    res: EdgeResponse,
  ): Promise<void> {
    const name = String(input.StreamName ?? '');
    const state = name ? await this.streamState(name) : undefined;
    const r = input as PutRecordsEntry;
    const dataBytes = typeof r.Data === 'string' ? base64DecodedLength(r.Data) : 0;
    if (state?.open) {
      const now = Date.now();
      const shard = this.shardOf(state, r);
      if (
        shard &&
        !this.limiter(state, shard.shardId, now).tryTake(
          dataBytes + Buffer.byteLength(r.PartitionKey ?? ''),
          now,
        )
      ) {
        this.metric(name, 'WriteProvisionedThroughputExceeded', 1, 'Count');
        throw new AwsError(
          'ProvisionedThroughputExceededException',
          `Rate exceeded for shard ${shard.shardId} in stream ${name} under account ${ACCOUNT}.`,
        );
      }
    }
    const out = await this.send(req, input);
    if (out.status === 200) {
      this.metric(name, 'IncomingRecords', 1, 'Count');
      this.metric(name, 'IncomingBytes', dataBytes, 'Bytes');
      this.metric(name, 'PutRecord.Success', 1, 'Count');
      this.metric(name, 'PutRecord.Bytes', dataBytes, 'Bytes');
    }
    writeBackendResponse(res, out);
  }

  private shardOf(state: StreamEdgeState, r: PutRecordsEntry): ShardRange | undefined {
    try {
      return shardFor(state.open ?? [], recordHashKey(r.PartitionKey ?? '', r.ExplicitHashKey));
    } catch {
      return undefined; // malformed ExplicitHashKey: kinesalite answers the validation error
    }
  }

  private limiter(state: StreamEdgeState, shardId: string, now: number): ShardWriteLimiter {
    let l = state.limiters.get(shardId);
    if (!l) {
      l = new ShardWriteLimiter(
        this.opts.shardRecordsPerSecond,
        this.opts.shardBytesPerSecond,
        now,
      );
      state.limiters.set(shardId, l);
    }
    return l;
  }

  // ---- reads: iterator age ----------------------------------------------

  private async getRecords(
    req: EdgeRequest,
    input: Record<string, unknown>,
    res: EdgeResponse,
  ): Promise<void> {
    const out = await this.send(req, input);
    if (out.status === 200) {
      const position = decodeIterator(String(input.ShardIterator ?? ''));
      const name = position?.streamName;
      if (position && name) {
        const text = out.body.toString('utf8');
        const scan = scanGetRecords(text);
        // AWS: age of the last record of the call; an empty read reports how far behind the tip it is.
        const age =
          scan.lastArrival !== undefined
            ? Math.max(0, Date.now() - scan.lastArrival * 1000)
            : scan.millisBehind;
        this.metric(name, 'GetRecords.IteratorAgeMilliseconds', age, 'Milliseconds');
        this.metric(name, 'GetRecords.Records', scan.records, 'Count');
        this.metric(name, 'GetRecords.Bytes', scan.bytes, 'Bytes');
        this.metric(name, 'GetRecords.Success', 1, 'Count');
        if (scan.records === 0 && !text.includes('"NextShardIterator"')) {
          // the end of a closed shard: AWS names its children here
          const parsed = JSON.parse(text) as Record<string, unknown>;
          parsed.ChildShards = await this.childShards(name, position.shardId);
          sendJson(res, parsed, AMZ_JSON);
          return;
        }
        // kinesalite always says 0 ms behind the tip; a full page means there is more to read, so say how old its last record is
        const limit = typeof input.Limit === 'number' ? input.Limit : 10_000;
        if (
          scan.records >= limit &&
          scan.millisBehind === 0 &&
          text.startsWith('{"MillisBehindLatest":0,')
        ) {
          const patched =
            `{"MillisBehindLatest":${Math.round(age)},` +
            text.slice('{"MillisBehindLatest":0,'.length);
          writeBackendResponse(res, out, Buffer.from(patched));
          return;
        }
      }
    }
    writeBackendResponse(res, out);
  }

  private async childShards(stream: string, parent: string): Promise<unknown[]> {
    const r = await this.backend.call(`${TARGET}.ListShards`, { StreamName: stream }, AMZ_JSON);
    const shards =
      (r.json.Shards as
        | Array<ListedShard & { ParentShardId?: string; AdjacentParentShardId?: string }>
        | undefined) ?? [];
    return shards
      .filter((s) => s.ParentShardId === parent || s.AdjacentParentShardId === parent)
      .map((s) => ({
        ShardId: s.ShardId,
        ParentShards: [s.ParentShardId, s.AdjacentParentShardId].filter(
          (x): x is string => x !== undefined,
        ),
        HashKeyRange: s.HashKeyRange,
      }));
  }

  // ---- describe: resharding status and encryption -----------------------

  private async describe(
    req: EdgeRequest,
    input: Record<string, unknown>,
    res: EdgeResponse,
  ): Promise<void> {
    const out = await this.send(req, input);
    const state = this.streams.get(String(input.StreamName ?? ''));
    if (out.status !== 200) {
      writeBackendResponse(res, out);
      return;
    }
    const parsed = JSON.parse(out.body.toString('utf8')) as Record<
      string,
      Record<string, unknown> | undefined
    >;
    const d = parsed.StreamDescription ?? parsed.StreamDescriptionSummary;
    if (d) {
      if (state?.resharding) d.StreamStatus = 'UPDATING';
      d.EncryptionType = state?.encryption ? state.encryption.type : 'NONE';
      if (state?.encryption) d.KeyId = state.encryption.keyId;
      if (!d.StreamModeDetails) d.StreamModeDetails = { StreamMode: 'PROVISIONED' };
    }
    sendJson(res, parsed, AMZ_JSON);
  }

  private async setEncryption(
    operation: string,
    input: Record<string, unknown>,
  ): Promise<Record<string, never>> {
    const name = String(input.StreamName ?? '');
    const state = await this.streamState(name);
    if (!state?.open)
      throw new AwsError(
        'ResourceNotFoundException',
        `Stream ${name} under account ${ACCOUNT} not found.`,
      );
    if (operation === 'StartStreamEncryption') {
      if (input.EncryptionType !== 'KMS')
        throw new AwsError('InvalidArgumentException', 'EncryptionType must be KMS');
      state.encryption = { type: 'KMS', keyId: String(input.KeyId ?? 'alias/aws/kinesis') };
    } else {
      state.encryption = undefined;
    }
    return {};
  }

  // ---- UpdateShardCount -------------------------------------------------

  private async updateShardCount(input: Record<string, unknown>): Promise<Record<string, unknown>> {
    const name = String(input.StreamName ?? '');
    const target = input.TargetShardCount;
    if (!name) throw new AwsError('ValidationException', 'StreamName or StreamARN is required');
    if (typeof target !== 'number' || !Number.isInteger(target) || target < 1 || target > 100_000) {
      throw new AwsError(
        'ValidationException',
        `1 validation error detected: Value '${String(target)}' at 'targetShardCount' failed to satisfy constraint: Member must have value between 1 and 100000`,
      );
    }
    if (input.ScalingType !== 'UNIFORM_SCALING') {
      throw new AwsError(
        'ValidationException',
        `1 validation error detected: Value '${String(input.ScalingType)}' at 'scalingType' failed to satisfy constraint: Member must satisfy enum value set: [UNIFORM_SCALING]`,
      );
    }
    this.invalidate(name);
    const state = await this.streamState(name);
    if (!state?.open)
      throw new AwsError(
        'ResourceNotFoundException',
        `Stream ${name} under account ${ACCOUNT} not found.`,
      );
    const summary = await this.backend.call(
      `${TARGET}.DescribeStreamSummary`,
      { StreamName: name },
      AMZ_JSON,
    );
    const status =
      (summary.json.StreamDescriptionSummary as
        { StreamStatus?: string; StreamARN?: string } | undefined) ?? {};
    if (state.resharding || status.StreamStatus !== 'ACTIVE') {
      throw new AwsError(
        'ResourceInUseException',
        `Stream ${name} under account ${ACCOUNT} not ACTIVE, instead in state ${state.resharding ? 'UPDATING' : status.StreamStatus}`,
      );
    }
    const current = state.open.length;
    if (target > current * 2) {
      throw new AwsError(
        'InvalidArgumentException',
        `UpdateShardCount cannot scale up over double your current open shard count. Current open shard count: ${current} Target shard count: ${target}`,
      );
    }
    if (target < Math.ceil(current / 2)) {
      throw new AwsError(
        'InvalidArgumentException',
        `UpdateShardCount cannot scale down below half your current open shard count. Current open shard count: ${current} Target shard count: ${target}`,
      );
    }
    const now = Date.now();
    state.updateTimes = state.updateTimes.filter((t) => now - t < 86_400_000);
    if (state.updateTimes.length >= this.opts.shardUpdatesPerDay) {
      throw new AwsError(
        'LimitExceededException',
        `Rate exceeded for stream ${name} under account ${ACCOUNT}: UpdateShardCount is limited to ${this.opts.shardUpdatesPerDay} calls per rolling 24 hours.`,
      );
    }
    if (target > this.opts.shardLimit) {
      throw new AwsError(
        'LimitExceededException',
        `This request would exceed the shard limit for the account ${ACCOUNT} in ${this.ctx.region}. Limit: ${this.opts.shardLimit}.`,
      );
    }
    state.updateTimes.push(now);
    if (target !== current) {
      state.resharding = true;
      void this.reshard(name, state, target);
    }
    return {
      StreamName: name,
      CurrentShardCount: current,
      TargetShardCount: target,
      StreamARN: status.StreamARN ?? streamArn(this.ctx.region, name),
    };
  }

  /** Runs in the background while the stream shows UPDATING. */
  private async reshard(name: string, state: StreamEdgeState, target: number): Promise<void> {
    try {
      for (let guard = 0; guard < 10_000; guard++) {
        const open = await this.listOpenShards(name);
        if (!open) throw new Error(`stream ${name} disappeared`);
        const step = nextReshardStep(open, target);
        if (step.kind === 'done') break;
        const r =
          step.kind === 'split'
            ? await this.backend.call(
                `${TARGET}.SplitShard`,
                {
                  StreamName: name,
                  ShardToSplit: step.shardId,
                  NewStartingHashKey: step.newStartingHashKey.toString(),
                },
                AMZ_JSON,
              )
            : await this.backend.call(
                `${TARGET}.MergeShards`,
                {
                  StreamName: name,
                  ShardToMerge: step.shardId,
                  AdjacentShardToMerge: step.adjacentShardId,
                },
                AMZ_JSON,
              );
        if (r.status !== 200) throw new Error(`${step.kind} failed: ${JSON.stringify(r.json)}`);
        await this.waitActive(name);
      }
      this.ctx.log('kinesis', `${name}: now ${target} open shards`);
    } catch (err) {
      this.ctx.log(
        'kinesis',
        `${name}: UpdateShardCount to ${target} stopped: ${err instanceof Error ? err.message : String(err)}`,
      );
    } finally {
      state.resharding = false;
      state.open = undefined;
      state.loadedAt = 0;
    }
  }

  private async waitActive(name: string): Promise<void> {
    for (let i = 0; i < 2000; i++) {
      const r = await this.backend.call(
        `${TARGET}.DescribeStreamSummary`,
        { StreamName: name },
        AMZ_JSON,
      );
      const s = (r.json.StreamDescriptionSummary as { StreamStatus?: string } | undefined)
        ?.StreamStatus;
      if (s === 'ACTIVE') return;
      if (r.status !== 200) throw new Error(`describe failed: ${JSON.stringify(r.json)}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    throw new Error('stream did not become ACTIVE');
  }

  // ---- shard map cache --------------------------------------------------

  private invalidate(name: string): void {
    const s = this.streams.get(name);
    if (s) s.loadedAt = 0;
  }

  private async streamState(name: string): Promise<StreamEdgeState | undefined> {
    let s = this.streams.get(name);
    if (!s) {
      s = { loadedAt: 0, limiters: new Map(), resharding: false, updateTimes: [] };
      this.streams.set(name, s);
    }
    const state = s;
    if (state.open && Date.now() - state.loadedAt < SHARD_MAP_TTL_MS) return state;
    if (!state.loading) {
      state.loading = this.listOpenShards(name).finally(() => {
        state.loading = undefined;
      });
    }
    const open = await state.loading;
    if (!open) {
      this.streams.delete(name);
      return undefined;
    }
    state.open = open;
    state.loadedAt = Date.now();
    const live = new Set(open.map((o) => o.shardId));
    for (const id of state.limiters.keys()) if (!live.has(id)) state.limiters.delete(id);
    return state;
  }

  /** Open shards sorted by hash range, or undefined when the stream does not exist. */
  private async listOpenShards(name: string): Promise<ShardRange[] | undefined> {
    const r = await this.backend.call(
      `${TARGET}.ListShards`,
      { StreamName: name, MaxResults: 10000 },
      AMZ_JSON,
    );
    if (r.status !== 200) return undefined;
    const shards = (r.json.Shards as ListedShard[] | undefined) ?? [];
    return shards
      .filter((s) => s.SequenceNumberRange.EndingSequenceNumber === undefined)
      .map((s) => ({
        shardId: s.ShardId,
        start: BigInt(s.HashKeyRange.StartingHashKey),
        end: BigInt(s.HashKeyRange.EndingHashKey),
      }))
      .sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  }

  private metric(stream: string, name: string, value: number, unit: string): void {
    this.ctx.metrics.putMetric({
      namespace: NS,
      name,
      dimensions: { StreamName: stream },
      value,
      unit,
      timestamp: new Date(),
    });
  }
}

export function streamArn(region: string, name: string): string {
  return `arn:aws:kinesis:${region}:${ACCOUNT}:stream/${name}`;
}

/**
 * Record count, payload bytes, last arrival time and MillisBehindLatest of a
 * GetRecords answer by scanning the text: up to 10,000 records a call, and a
 * full JSON.parse of each would cost the edge more than the proxying does.
 */
export function scanGetRecords(text: string): {
  records: number;
  bytes: number;
  lastArrival?: number;
  millisBehind: number;
} {
  let records = 0;
  let bytes = 0;
  let lastArrival: number | undefined;
  const DATA = '"Data":"';
  for (let i = text.indexOf(DATA); i >= 0; i = text.indexOf(DATA, i)) {
    const start = i + DATA.length;
    const end = text.indexOf('"', start);
    bytes += base64DecodedLength(text.slice(start, end));
    records++;
    i = end;
  }
  const ARRIVAL = '"ApproximateArrivalTimestamp":';
  const a = text.lastIndexOf(ARRIVAL);
  if (a >= 0) lastArrival = parseFloat(text.slice(a + ARRIVAL.length, a + ARRIVAL.length + 32));
  const m = /"MillisBehindLatest":(\d+)/.exec(text);
  return { records, bytes, lastArrival, millisBehind: m ? Number(m[1]) : 0 };
}

function parseJson(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  try {
    const v = JSON.parse(body.toString('utf8')) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new AwsError('SerializationException', 'request body is not a JSON object');
}

/** Newer SDK calls may name the stream by ARN; kinesalite knows only names. */
function normaliseStreamArn(input: Record<string, unknown>): boolean {
  if (typeof input.StreamARN !== 'string') return false;
  if (input.StreamName === undefined)
    input.StreamName = input.StreamARN.slice(input.StreamARN.lastIndexOf('/') + 1);
  delete input.StreamARN;
  return true;
}
