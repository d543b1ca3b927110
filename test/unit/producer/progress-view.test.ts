/**
 * `npm run spike`'s live progress on an 80-column terminal: every update
 * fits the width (a wrapped line took two rows and each redraw left the
 * extra rows behind), and is redrawn in place.
 */
import { describe, expect, it } from 'vitest';
import { visibleRows } from '../../support/terminal';
import { emptyStats } from '../../../producer/producer-stats';
import { progressLine, ProgressRenderer } from '../../../producer/progress-view';
import type { SpikeStatus } from '../../../producer/spike-runner';

const status = (elapsedMs: number): SpikeStatus => ({
  elapsedMs,
  phase: 'spike',
  activeProducers: 4,
  pending: 12_345,
  stats: {
    ...emptyStats(),
    sent: 1_234_567,
    accepted: 1_200_000,
    throttled: 34_567,
    retried: 34_000,
  },
});

describe('spike progress on a terminal', () => {
  it('fits every line to an 80-column terminal and redraws in place', () => {
    expect([...progressLine(status(1_000), 3_200)].length).toBeGreaterThan(80); // the case that wrapped
    let text = '';
    const view = new ProgressRenderer({
      isTTY: true,
      columns: 80,
      write: (s) => ((text += s), true),
    });
    for (let t = 1_000; t <= 5_000; t += 1_000) view.update(status(t), ['  scaling: 2 × 3']);
    const rows = visibleRows(text);
    expect(rows).toHaveLength(10);
    for (const row of rows) expect([...row].length).toBeLessThan(80);
    expect(text.split('\x1b[2F')).toHaveLength(5); // moved up 4 times: redrawn in place
  });
});
