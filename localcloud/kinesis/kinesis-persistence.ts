/**
 * Kinesis on a data dir: kinesalite keeps streams, shards and records in
 * its own LevelDB store (written before each answer); this part keeps what
 * the edge adds — encryption and its spans, the UpdateShardCount budget,
 * on-demand mode, enhanced fan-out consumers. A consumer caught in a
 * transition (CREATING, DELETING) finishes it on restore.
 */
import type { StatePart } from '../contracts';
import type { Consumer, ConsumerRegistry } from './consumers';
import type { SavedStream, StreamRegistry } from './stream-registry';

interface SavedKinesis {
  streams: SavedStream[];
  consumers: Consumer[];
}

export function kinesisStatePart(streams: StreamRegistry, consumers: ConsumerRegistry): StatePart {
  return {
    name: 'kinesis-edge',
    snapshot: (): SavedKinesis => ({ streams: streams.saved(), consumers: consumers.all() }),
    restore: (raw) => {
      const saved = raw as SavedKinesis | undefined;
      if (!saved) return;
      streams.restore(saved.streams);
      for (const c of saved.consumers) {
        if (c.status === 'DELETING') continue;
        consumers.add({ ...c, status: 'ACTIVE' });
      }
    },
  };
}
