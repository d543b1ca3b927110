/**
 * Exact resumption of a shard after a restart: the batches in flight are
 * re-formed with the same records and boundaries from a re-read of the
 * shard, records done past the checkpoint are skipped, and a journal
 * replayed over a snapshot gives the same resume point.
 */
import { describe, expect, it } from 'vitest';
import { LaneBatcher } from '../../../../localcloud/lambda/event-sources/kinesis/lane-batcher';
import {
  applyShardJournal,
  BatchLedger,
  freshResume,
  ShardReplay,
  type ShardJournalEvent,
} from '../../../../localcloud/lambda/event-sources/kinesis/shard-resume';
import type { ShardRecord } from '../../../../localcloud/lambda/event-sources/kinesis/shard-record';

const records = (n: number): ShardRecord[] =>
  Array.from({ length: n }, (_, i) => ({
    sequenceNumber: String(1000 + i),
    partitionKey: `key-${i % 7}`,
    data: '',
    arrivalMs: 0,
  }));
const seqs = (rs: readonly ShardRecord[]) => rs.map((r) => r.sequenceNumber);

/** Cuts batches as the poller does (two lanes, batch size 4) and completes some of them. */
function runUntilStop(all: ShardRecord[]) {
  const batcher = new LaneBatcher(2);
  const ledger = new BatchLedger();
  batcher.add(all, 0);
  const cut = batcher.cut(0, { batchSize: 4, windowMs: 0 }, true);
  for (const c of cut) ledger.cut(c.records, 2);
  return { batcher, ledger, cut };
}

describe('ShardReplay', () => {
  it('re-forms the batches in flight exactly and skips records done past the checkpoint', () => {
    const all = records(40);
    const { ledger, cut } = runUntilStop(all);
    expect(cut).toHaveLength(2);
    // Lane 1's batch finished, lane 0's was in flight at the stop.
    const [inFlight, finished] = cut[0]!.lane === 0 ? [cut[0]!, cut[1]!] : [cut[1]!, cut[0]!];
    ledger.done(finished.records[0]!.sequenceNumber);
    const replay = new ShardReplay(seqs(finished.records), ledger.claims());
    // The shard read again from the lowest pending record, in pages.
    const fresh: ShardRecord[] = [];
    const done: string[] = [];
    for (let i = 0; i < all.length; i += 5) {
      const page = replay.admit(all.slice(i, i + 5));
      fresh.push(...page.fresh);
      done.push(...page.done);
    }
    expect(replay.ready().map(seqs)).toEqual([seqs(inFlight.records)]);
    expect(done.sort()).toEqual(seqs(finished.records).sort());
    const delivered = new Set([...seqs(inFlight.records), ...done]);
    expect(seqs(fresh)).toEqual(seqs(all).filter((s) => !delivered.has(s)));
    expect(replay.replaying).toBe(false);
    expect(replay.skipsPending).toBe(false);
  });

  it('keeps a batch short of records until the shard is read to its end, then finalizes it', () => {
    const all = records(12);
    const { ledger } = runUntilStop(all);
    const replay = new ShardReplay([], ledger.claims());
    replay.admit(all.slice(0, 2));
    expect(replay.ready()).toEqual([]);
    expect(replay.replaying).toBe(true);
    expect(replay.finalize()).toEqual([]);
    expect(replay.ready().length).toBeGreaterThan(0);
  });
});

describe('applyShardJournal', () => {
  it('adds the cuts after the snapshot and marks the done ones', () => {
    const start = { type: 'TRIM_HORIZON' as const };
    const events: ShardJournalEvent[] = [
      { s: 'shard-0', start },
      { s: 'shard-0', cut: '1000', n: 4, pf: 2 },
      { s: 'shard-0', cut: '1001', n: 4, pf: 2 },
      { s: 'shard-0', done: '1000' },
    ];
    const r = applyShardJournal(undefined, events)!;
    expect(r.start).toEqual(start);
    expect(r.claims).toEqual([
      { first: '1000', count: 4, pf: 2, done: true },
      { first: '1001', count: 4, pf: 2 },
    ]);
    // A ledger built from it keeps only the open batch.
    expect(new BatchLedger(r.claims).claims()).toEqual([{ first: '1001', count: 4, pf: 2 }]);
    expect(applyShardJournal(freshResume(start), [])).toEqual(freshResume(start));
  });
});
