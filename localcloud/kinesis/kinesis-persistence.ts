/**
 * Kinesis on a data dir: kinesalite keeps streams, shards and records in
 * its own LevelDB store (written before each answer); this part keeps what
 * the edge adds — encryption and its spans, the UpdateShardCount budget and
 * the reshard in progress (journaled as it starts and ends, so a kill right
 * after UpdateShardCount answered still resumes it), on-demand mode,
 * enhanced fan-out consumers. A consumer caught in a transition (CREATING,
 * DELETING) finishes it on restore.
 */
import type { StatePart } from '../contracts';
import type { Consumer, ConsumerRegistry } from './consumers';
import type { ReshardJournalEvent, SavedStream, StreamRegistry } from './stream-registry';

interface SavedKinesis {
  streams: SavedStream[];
  consumers: Consumer[];
}

/** The saved streams with the reshards journaled after the snapshot. */
export function applyReshardJournal(
  saved: readonly SavedStream[],
  events: readonly ReshardJournalEvent[],
): SavedStream[] {
  const byName = new Map(saved.map((s) => [s.name, { ...s }]));
  for (const e of events) {
    const s = byName.get(e.reshard) ?? {
      name: e.reshard,
      onDemand: false,
      encryptedSpans: [],
      updateTimes: [],
    };
    if ('target' in e) s.reshardTarget = e.target;
    else delete s.reshardTarget;
    byName.set(e.reshard, s);
  }
  return [...byName.values()];
}

export function kinesisStatePart(streams: StreamRegistry, consumers: ConsumerRegistry): StatePart {
  return {
    name: 'kinesis-edge',
    snapshot: (): SavedKinesis => ({ streams: streams.saved(), consumers: consumers.all() }),
    restore: (raw, events) => {
      const saved = raw as SavedKinesis | undefined;
      streams.restore(
        applyReshardJournal(saved?.streams ?? [], events as readonly ReshardJournalEvent[]),
      );
      for (const c of saved?.consumers ?? []) {
        if (c.status === 'DELETING') continue;
        consumers.add({ ...c, status: 'ACTIVE' });
      }
    },
  };
}
