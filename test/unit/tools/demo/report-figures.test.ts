/**
 * The newest demo report's figures for the bench (tools/demo/report-figures.ts):
 * read back from spike-goals.json and cost.json, each against its goal.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { demoFigures, newestDemoReport } from '../../../../tools/demo/report-figures';
import { SPIKE_GOALS_FILE } from '../../../../tools/demo/spike-goals';

describe('demo report figures', () => {
  it('reads the newest report with spike goals, and flags each goal', () => {
    const root = mkdtempSync(join(tmpdir(), 'reports-'));
    for (const d of ['2026-12-02T04-00-00Z', '2026-12-02T05-00-00Z', '2026-12-02T06-00-00Z'])
      mkdirSync(join(root, d));
    const dir = join(root, '2026-12-02T05-00-00Z'); // the newest (06-00) has no goals file
    writeFileSync(
      join(dir, SPIKE_GOALS_FILE),
      JSON.stringify({
        profile: 'short',
        loadAverage: [0.5, 1, 2],
        goals: {
          throttledPerAccepted: 0.01,
          stalledSamples: 0,
          samplesChecked: 6,
          peakIteratorAgeS: 1.2,
          enoughCapacityS: 9,
          peakShards: 4,
          shardsNeeded: 4,
        },
      }),
    );
    writeFileSync(
      join(dir, 'cost.json'),
      JSON.stringify({
        day: {
          fleets: [
            { fleet: 'elastic', cost: { total: 4.2 } },
            { fleet: 'static', cost: { total: 4.6 } },
          ],
        },
      }),
    );
    expect(newestDemoReport(root)).toBe('2026-12-02T05-00-00Z');
    const f = demoFigures(dir);
    const by = (k: string) => f.find((x) => x.figure.includes(k))!;
    expect(by('enough capacity')).toMatchObject({ value: 9, met: true });
    expect(by('back to the minimum')).toMatchObject({ value: Infinity, met: false }); // never
    expect(by('stalled')).toMatchObject({ value: 0, met: true });
    expect(by('projected day, static')).toMatchObject({ value: 4.6, met: true });
    expect(newestDemoReport(join(root, 'absent'))).toBeUndefined();
  });
});
