/**
 * What the edge knows of each stream beyond kinesalite: its open shards'
 * hash ranges (cached; re-read at most once a second, and at once after the
 * edge reshards), a write limiter per open shard, the resharding flag and
 * UpdateShardCount history, and its encryption.
 */
import type { KinesisBackend } from './kinesis-backend';
import type { ShardRange } from './shard-hash';
import { ShardWriteLimiter } from './token-bucket';

/** Shard maps are re-read at most this often (SplitShard/MergeShards called directly change them). */
const SHARD_MAP_TTL_MS = 1000;

export interface StreamEncryption {
  type: 'KMS';
  keyId: string;
}

/** A time span (ms) in which arriving records were encrypted; `to` undefined while it lasts. */
export interface EncryptedSpan {
  from: number;
  to?: number;
}

export interface StreamState {
  name: string;
  open?: ShardRange[];
  loadedAt: number;
  loading?: Promise<ShardRange[] | undefined>;
  limiters: Map<string, ShardWriteLimiter>;
  resharding: boolean;
  /** The open-shard count an UpdateShardCount is working towards; kept until it is reached. */
  reshardTarget?: number;
  encryption?: StreamEncryption;
  /** When records were encrypted: AWS encrypts those arriving while encryption is on, and only those. */
  encryptedSpans: EncryptedSpan[];
  /** When UpdateShardCount was accepted, for the rolling-24-hour budget. */
  updateTimes: number[];
}

/** What the edge must keep of a stream across a restart (--data-dir); kinesalite keeps the rest. */
export interface SavedStream {
  name: string;
  onDemand: boolean;
  encryption?: StreamEncryption;
  encryptedSpans: EncryptedSpan[];
  updateTimes: number[];
  /** an UpdateShardCount in progress (resumed on restore) */
  reshardTarget?: number;
}

/** Journaled as an UpdateShardCount starts and ends, so a kill between snapshots cannot lose it. */
export type ReshardJournalEvent =
  { reshard: string; target: number } | { reshard: string; done: true };

export interface WriteLimits {
  shardRecordsPerSecond: number;
  shardBytesPerSecond: number;
}

interface ListedShard {
  ShardId: string;
  HashKeyRange: { StartingHashKey: string; EndingHashKey: string };
  SequenceNumberRange: { EndingSequenceNumber?: string };
}

export class StreamRegistry {
  private readonly streams = new Map<string, StreamState>();
  /** Streams created ON_DEMAND (kinesalite keeps them as 4-shard provisioned streams). */
  private readonly onDemand = new Set<string>();
  /** Who waits for the next write to a stream (enhanced fan-out subscriptions). */
  private readonly writeWaiters = new Map<string, Set<() => void>>();
  /** write-ahead record of reshards (--data-dir) */
  journal: ((e: ReshardJournalEvent) => void) | undefined;
  /** the cloud is stopping: work cut short now is resumed by the next start, not ended */
  closing = false;

  constructor(
    private readonly backend: KinesisBackend,
    private readonly limits: WriteLimits,
  ) {}

  /** The stream's state with a fresh-enough shard map, or undefined when it does not exist. */
  async get(name: string): Promise<StreamState | undefined> {
    let s = this.streams.get(name);
    if (!s) {
      s = {
        name,
        loadedAt: 0,
        limiters: new Map(),
        resharding: false,
        updateTimes: [],
        encryptedSpans: [],
      };
      this.streams.set(name, s);
    }
    const state = s;
    if (state.open && Date.now() - state.loadedAt < SHARD_MAP_TTL_MS) return state;
    state.loading ??= this.openShards(name).finally(() => {
      state.loading = undefined;
    });
    const open = await state.loading;
    if (!open) {
      if (this.streams.get(name) === state) this.streams.delete(name);
      return undefined;
    }
    state.open = open;
    state.loadedAt = Date.now();
    const live = new Set(open.map((o) => o.shardId));
    for (const id of state.limiters.keys()) if (!live.has(id)) state.limiters.delete(id);
    return state;
  }

  saved(): SavedStream[] {
    const names = new Set([...this.streams.keys(), ...this.onDemand]);
    return [...names].map((name) => {
      const s = this.streams.get(name);
      return {
        name,
        onDemand: this.onDemand.has(name),
        ...(s?.encryption ? { encryption: s.encryption } : {}),
        encryptedSpans: s?.encryptedSpans ?? [],
        updateTimes: s?.updateTimes ?? [],
        ...(s?.reshardTarget !== undefined ? { reshardTarget: s.reshardTarget } : {}),
      };
    });
  }

  /** The edge's part of each stream, as saved(); shard maps are read afresh from kinesalite. */
  restore(saved: readonly SavedStream[]): void {
    this.streams.clear();
    this.onDemand.clear();
    for (const s of saved) {
      if (s.onDemand) this.onDemand.add(s.name);
      this.streams.set(s.name, {
        name: s.name,
        loadedAt: 0,
        limiters: new Map(),
        resharding: false,
        encryption: s.encryption,
        encryptedSpans: s.encryptedSpans,
        updateTimes: s.updateTimes,
        reshardTarget: s.reshardTarget,
      });
    }
  }

  /** An UpdateShardCount was accepted (journaled before it starts). */
  reshardStarted(state: StreamState, target: number): void {
    this.journal?.({ reshard: state.name, target });
    state.reshardTarget = target;
    state.resharding = true;
  }

  /** The reshard reached its target, or gave up (the stream is gone). */
  reshardEnded(state: StreamState): void {
    state.reshardTarget = undefined;
    state.resharding = false;
    this.journal?.({ reshard: state.name, done: true });
  }

  /** Streams whose UpdateShardCount the last cloud did not finish. */
  unfinishedReshards(): StreamState[] {
    return [...this.streams.values()].filter((s) => s.reshardTarget !== undefined);
  }

  /** What is known without asking kinesalite (describe patches, encryption). */
  peek(name: string): StreamState | undefined {
    return this.streams.get(name);
  }

  /** The next get() re-reads the shard map. */
  invalidate(name: string): void {
    const s = this.streams.get(name);
    if (s) s.loadedAt = 0;
  }

  /** The stream was created or deleted: nothing known carries over. */
  forget(name: string): void {
    this.streams.delete(name);
    this.onDemand.delete(name);
  }

  markOnDemand(name: string): void {
    this.onDemand.add(name);
  }

  isOnDemand(name: string): boolean {
    return this.onDemand.has(name);
  }

  /** Records were stored in the stream: wake whoever waits for them. */
  wrote(name: string): void {
    const waiters = this.writeWaiters.get(name);
    if (!waiters) return;
    this.writeWaiters.delete(name);
    for (const wake of waiters) wake();
  }

  /** Resolves at the next write to the stream, or after `ms`, whichever comes first. */
  nextWrite(name: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      let waiters = this.writeWaiters.get(name);
      if (!waiters) this.writeWaiters.set(name, (waiters = new Set()));
      const wake = () => {
        clearTimeout(timer);
        waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      timer.unref();
      waiters.add(wake);
    });
  }

  limiter(state: StreamState, shardId: string, now: number): ShardWriteLimiter {
    let l = state.limiters.get(shardId);
    if (!l) {
      l = new ShardWriteLimiter(
        this.limits.shardRecordsPerSecond,
        this.limits.shardBytesPerSecond,
        now,
      );
      state.limiters.set(shardId, l);
    }
    return l;
  }

  /** Open shards sorted by hash range, or undefined when the stream does not exist. */
  async openShards(name: string): Promise<ShardRange[] | undefined> {
    const r = await this.backend.call('ListShards', { StreamName: name, MaxResults: 10000 });
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
}
