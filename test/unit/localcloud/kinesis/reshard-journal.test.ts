/** The edge's reshard in progress, rebuilt from its snapshot and the journal after it. */
import { describe, expect, it } from 'vitest';
import { applyReshardJournal } from '../../../../localcloud/kinesis/kinesis-persistence';
import type { SavedStream } from '../../../../localcloud/kinesis/stream-registry';

const saved = (name: string, reshardTarget?: number): SavedStream => ({
  name,
  onDemand: false,
  encryptedSpans: [],
  updateTimes: [1],
  ...(reshardTarget !== undefined ? { reshardTarget } : {}),
});

describe('applyReshardJournal', () => {
  it('keeps a target journaled after the snapshot, for a stream the snapshot knew or not', () => {
    const out = applyReshardJournal(
      [saved('a')],
      [
        { reshard: 'a', target: 4 },
        { reshard: 'b', target: 2 },
      ],
    );
    expect(out.find((s) => s.name === 'a')).toEqual(saved('a', 4));
    expect(out.find((s) => s.name === 'b')?.reshardTarget).toBe(2);
  });

  it('drops a target whose reshard ended, and leaves the snapshot alone without events', () => {
    expect(applyReshardJournal([saved('a', 4)], [{ reshard: 'a', done: true }])).toEqual([
      saved('a'),
    ]);
    expect(applyReshardJournal([saved('a', 4)], [])).toEqual([saved('a', 4)]);
  });
});
