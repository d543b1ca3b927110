/**
 * A Kinesis stream in virtual time for the producer tests: PutRecords and
 * ListShards answered as Kinesis does, each open shard accepting at most
 * `recordsPerSecond` (a token bucket holding one second, as AWS and the
 * embedded cloud's edge enforce it) and answering
 * ProvisionedThroughputExceededException per record beyond that; uniform
 * reshards on demand. Every put attempt is checked against what was already
 * accepted, so a re-sent accepted record shows. `unreachable` makes every
 * call fail as a dead endpoint's do (connection refused), counting them.
 * Time is whatever Date.now and setTimeout say (vitest's fake timers in the
 * tests).
 */
import { createHash } from 'node:crypto';
import {
  ListShardsCommand,
  PutRecordsCommand,
  type KinesisClient,
  type PutRecordsResultEntry,
  type Shard,
} from '@aws-sdk/client-kinesis';

interface ModelShard {
  id: string;
  start: bigint;
  end: bigint;
  open: boolean;
  tokens: number;
  last: number;
  seq: number;
}

export interface AcceptedInModel {
  shardId: string;
  sequenceNumber: string;
  partitionKey: string;
  data: string;
}

const MAX_HASH = 2n ** 128n - 1n;

export class ThrottlingStreamModel {
  private shards: ModelShard[] = [];
  private nextId = 0;
  readonly accepted: AcceptedInModel[] = [];
  private readonly acceptedPayloads = new Set<string>();
  attempts = 0;
  throttled = 0;
  /** Put attempts of a payload the stream had already accepted. */
  resentAfterAccept = 0;
  listShardsCalls = 0;
  /** While set, every call fails with this error code (e.g. ECONNREFUSED), after the latency. */
  unreachable: string | undefined;
  /** Calls that failed because the stream was unreachable. */
  refusedCalls = 0;

  constructor(
    shards: number,
    private readonly recordsPerSecond: number,
    private readonly latencyMs: number,
  ) {
    this.open(shards);
  }

  get openShards(): number {
    return this.shards.filter((s) => s.open).length;
  }

  /** UpdateShardCount, uniform: the open shards close, `n` children split the key space evenly. */
  reshard(n: number): void {
    for (const s of this.shards) s.open = false;
    this.open(n);
  }

  /** The SDK client surface the writer uses. */
  client(): KinesisClient {
    return { send: (cmd: unknown) => this.send(cmd) } as unknown as KinesisClient;
  }

  private open(n: number): void {
    const width = (MAX_HASH + 1n) / BigInt(n);
    for (let i = 0; i < n; i++) {
      const start = width * BigInt(i);
      this.shards.push({
        id: `shardId-${String(this.nextId++).padStart(12, '0')}`,
        start,
        end: i === n - 1 ? MAX_HASH : start + width - 1n,
        open: true,
        tokens: this.recordsPerSecond,
        last: Date.now(),
        seq: 0,
      });
    }
  }

  private async send(cmd: unknown): Promise<unknown> {
    await sleep(this.latencyMs / 2);
    if (this.unreachable) {
      this.refusedCalls++;
      const code = this.unreachable;
      await sleep(this.latencyMs / 2);
      throw Object.assign(new Error(`connect ${code} 127.0.0.1:4566`), { code });
    }
    let out: unknown;
    if (cmd instanceof PutRecordsCommand) out = this.put(cmd);
    else if (cmd instanceof ListShardsCommand) out = this.list();
    else throw new Error('the model answers PutRecords and ListShards only');
    await sleep(this.latencyMs / 2);
    return out;
  }

  private put(cmd: PutRecordsCommand): {
    Records: PutRecordsResultEntry[];
    FailedRecordCount: number;
  } {
    const now = Date.now();
    let failed = 0;
    const results = (cmd.input.Records ?? []).map((r): PutRecordsResultEntry => {
      const data = Buffer.from(r.Data!).toString('utf8');
      this.attempts++;
      if (this.acceptedPayloads.has(data)) this.resentAfterAccept++;
      const hash = BigInt(`0x${createHash('md5').update(r.PartitionKey!, 'utf8').digest('hex')}`);
      const shard = this.shards.find((s) => s.open && hash >= s.start && hash <= s.end)!;
      shard.tokens = Math.min(
        this.recordsPerSecond,
        shard.tokens + ((now - shard.last) / 1000) * this.recordsPerSecond,
      );
      shard.last = now;
      if (shard.tokens < 1) {
        this.throttled++;
        failed++;
        return {
          ErrorCode: 'ProvisionedThroughputExceededException',
          ErrorMessage: 'Rate exceeded',
        };
      }
      shard.tokens -= 1;
      const sequenceNumber = `${shard.id}-${++shard.seq}`;
      this.accepted.push({
        shardId: shard.id,
        sequenceNumber,
        partitionKey: r.PartitionKey!,
        data,
      });
      this.acceptedPayloads.add(data);
      return { ShardId: shard.id, SequenceNumber: sequenceNumber };
    });
    return { Records: results, FailedRecordCount: failed };
  }

  private list(): { Shards: Shard[] } {
    this.listShardsCalls++;
    return {
      Shards: this.shards.map((s) => ({
        ShardId: s.id,
        HashKeyRange: { StartingHashKey: s.start.toString(), EndingHashKey: s.end.toString() },
        SequenceNumberRange: {
          StartingSequenceNumber: '0',
          ...(s.open ? {} : { EndingSequenceNumber: String(s.seq) }),
        },
      })),
    };
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
