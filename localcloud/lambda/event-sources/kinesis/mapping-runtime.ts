/**
 * The running side of one Kinesis event source mapping: discovers the
 * stream's shards (ListShards, re-polled to follow resharding), runs a
 * ShardPoller per shard, all in parallel, and starts a child shard only once
 * every parent is read to its end and its batches are done (AWS's
 * parent-before-child rule). The starting position applies to the shards the
 * mapping finds first; shards that appear later are read from their start.
 * Checkpoints (resume points) survive a disable/enable, and a restart of the
 * cloud on a data dir (checkpoint(), and the journal the pollers append to).
 */
import { ShardPoller, type PollerDeps, type StartSpec } from './shard-poller';
import {
  applyShardJournal,
  freshResume,
  type ShardJournalEvent,
  type ShardResume,
} from './shard-resume';

interface ShardProgress {
  finished: boolean;
  resume?: ShardResume;
}

/** A mapping's progress over its stream's shards, as plain data. */
export interface RuntimeCheckpoint {
  /** the starting position was applied (later shards are read from their start) */
  discovered: boolean;
  shards: Array<ShardProgress & { shardId: string }>;
}

export interface RuntimeDeps extends Omit<PollerDeps, 'tunables'> {
  tunables: PollerDeps['tunables'] & { shardDiscoveryMs: number };
}

/** A checkpoint with the journal events appended after it (a restart after a crash). */
export function applyRuntimeJournal(
  checkpoint: RuntimeCheckpoint | undefined,
  events: readonly ShardJournalEvent[],
): RuntimeCheckpoint | undefined {
  if (events.length === 0) return checkpoint;
  const shards = new Map((checkpoint?.shards ?? []).map(({ shardId, ...p }) => [shardId, p]));
  const byShard = new Map<string, ShardJournalEvent[]>();
  for (const e of events) byShard.set(e.s, [...(byShard.get(e.s) ?? []), e]);
  for (const [shardId, mine] of byShard) {
    const p = shards.get(shardId);
    if (p?.finished) continue;
    const resume = applyShardJournal(p?.resume, mine);
    if (resume) shards.set(shardId, { finished: false, resume });
  }
  return {
    discovered: (checkpoint?.discovered ?? false) || byShard.size > 0,
    shards: [...shards].map(([shardId, p]) => ({ shardId, ...p })),
  };
}

export class MappingRuntime {
  private readonly pollers = new Map<string, ShardPoller>();
  private readonly progress = new Map<string, ShardProgress>();
  private firstDiscovery = true;
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private discovering: Promise<void> | undefined;
  private lastError: string | undefined;

  constructor(
    private readonly deps: RuntimeDeps,
    restored?: RuntimeCheckpoint,
  ) {
    if (!restored) return;
    this.firstDiscovery = !restored.discovered;
    for (const { shardId, ...p } of restored.shards) this.progress.set(shardId, p);
  }

  /** Where every shard stands now; a running shard's exact resume state. */
  checkpoint(): RuntimeCheckpoint {
    const shards = new Map(this.progress);
    for (const [id, p] of this.pollers)
      shards.set(
        id,
        p.finished ? { finished: true } : { finished: false, resume: p.resumeState() },
      );
    return {
      discovered: !this.firstDiscovery,
      shards: [...shards].map(([shardId, p]) => ({ shardId, ...p })),
    };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.scheduleDiscovery(0);
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    // Stop the pollers first (synchronously flagged), so nothing is fetched once stop() was called.
    const pollers = [...this.pollers.values()];
    this.pollers.clear();
    const stopped = pollers.map(async (p) => {
      const resume = await p.stop();
      if (!p.finished) this.progress.set(p.shardId, { finished: false, resume });
    });
    await this.discovering;
    await Promise.all(stopped);
  }

  /** Settings changed (batch size, window, ParallelizationFactor): pollers read them on their next turn. */
  settingsChanged(): void {
    for (const p of this.pollers.values()) p.wake();
  }

  /** Shards being read now (for tests and logs). */
  get activeShards(): string[] {
    return [...this.pollers.keys()];
  }

  private scheduleDiscovery(ms: number): void {
    if (!this.running) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.discovering = this.discover()
        .catch((err: unknown) =>
          this.deps.log(`ListShards failed: ${(err as Error).message}; trying again`),
        )
        .finally(() => {
          this.discovering = undefined;
          this.scheduleDiscovery(this.deps.tunables.shardDiscoveryMs);
        });
    }, ms);
    this.timer.unref?.();
  }

  private async discover(): Promise<void> {
    const shards = await this.deps.reader.listShards();
    if (!this.running) return;
    const listed = new Set(shards.map((s) => s.shardId));
    const initial = this.firstDiscovery;
    this.firstDiscovery = false;
    const m = this.deps.mapping();
    const start: StartSpec = initial
      ? {
          type: m.startingPosition ?? 'TRIM_HORIZON',
          ...(m.startingPosition === 'AT_TIMESTAMP'
            ? { timestamp: m.startingPositionTimestamp }
            : {}),
        }
      : { type: 'TRIM_HORIZON' };
    for (const shard of shards) {
      const id = shard.shardId;
      const known = this.progress.get(id);
      if (this.pollers.has(id) || known?.finished) continue;
      const parents = shard.parents;
      // A parent that has aged out of the stream (not listed) cannot hold its child back.
      const parentsDone = parents.every((p) => !listed.has(p) || this.progress.get(p)?.finished);
      if (!parentsDone) {
        if (!known)
          this.progress.set(id, {
            finished: false,
            resume: freshResume(initial ? start : { type: 'TRIM_HORIZON' }),
          });
        continue;
      }
      const resume = known?.resume ?? freshResume(start);
      // Always journaled: a shard first known after the last snapshot needs its start to be replayed.
      this.deps.journal?.({ s: id, start: resume.start });
      const poller = new ShardPoller(this.deps as PollerDeps, id, resume, () => {
        this.progress.set(id, { finished: true });
        this.pollers.delete(id);
        // Children may start now rather than at the next periodic discovery.
        this.scheduleDiscovery(0);
      });
      this.pollers.set(id, poller);
      poller.run();
    }
  }
}
