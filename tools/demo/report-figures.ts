/**
 * The newest demo run's spike goals and projected day, read back from its
 * report directory (`spike-goals.json`, `cost.json`), so that
 * `npm run bench -- scaling` shows the embedded cloud's figures next to the
 * load model's. Nothing is re-measured here: the figures are the run's.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SPIKE_GOALS_FILE, type SpikeGoals } from './spike-goals';

export interface DemoFigure {
  figure: string;
  value: number;
  unit: string;
  goal?: string;
  met?: boolean;
}

interface GoalsFile {
  profile: string;
  loadAverage: number[];
  goals: SpikeGoals;
}

interface CostFile {
  day?: { fleets: Array<{ fleet: string; cost: { total: number } }> };
}

/** The newest report directory under `reportsDir` that holds spike goals, if any. */
export function newestDemoReport(reportsDir: string): string | undefined {
  if (!existsSync(reportsDir)) return undefined;
  return readdirSync(reportsDir)
    .filter((d) => existsSync(join(reportsDir, d, SPIKE_GOALS_FILE)))
    .sort()
    .at(-1);
}

const orNever = (v: number | undefined) => v ?? Infinity;

/** The run's figures, each with its goal (issue 14). */
export function demoFigures(dir: string): DemoFigure[] {
  const g = JSON.parse(readFileSync(join(dir, SPIKE_GOALS_FILE), 'utf8')) as GoalsFile;
  const at = `demo ${g.profile} (${dir}, load ${g.loadAverage.map((l) => l.toFixed(1)).join('/')})`;
  const x = g.goals;
  const figures: DemoFigure[] = [
    {
      figure: `${at}: throttled per accepted`,
      value: x.throttledPerAccepted,
      unit: 'ratio',
      goal: '≤ 0.25',
      met: x.throttledPerAccepted <= 0.25,
    },
    {
      figure: `${at}: stalled 5 s samples of ${x.samplesChecked}`,
      value: x.stalledSamples,
      unit: 'samples',
      goal: '0',
      met: x.stalledSamples === 0,
    },
    {
      figure: `${at}: peak iterator age`,
      value: x.peakIteratorAgeS,
      unit: 's',
      goal: '≤ 10 s',
      met: x.peakIteratorAgeS <= 10,
    },
    {
      figure: `${at}: spike start → enough capacity`,
      value: orNever(x.enoughCapacityS),
      unit: 's',
      goal: '≤ 15 s',
      met: orNever(x.enoughCapacityS) <= 15,
    },
    {
      figure: `${at}: spike end → back to the minimum`,
      value: orNever(x.backToMinimumS),
      unit: 's',
      goal: '≤ 120 s',
      met: orNever(x.backToMinimumS) <= 120,
    },
    {
      figure: `${at}: peak shards (demand needs ${x.shardsNeeded})`,
      value: x.peakShards,
      unit: 'shards',
      goal: `≤ ${x.shardsNeeded}`,
      met: x.peakShards <= x.shardsNeeded,
    },
  ];
  const costPath = join(dir, 'cost.json');
  const fleets = existsSync(costPath)
    ? ((JSON.parse(readFileSync(costPath, 'utf8')) as CostFile).day?.fleets ?? [])
    : [];
  const total = (f: string) => fleets.find((x) => x.fleet === f)?.cost.total;
  const elastic = total('elastic');
  const staticTotal = total('static');
  if (elastic !== undefined && staticTotal !== undefined)
    figures.push(
      { figure: `${at}: projected day, elastic`, value: elastic, unit: '$/day' },
      {
        figure: `${at}: projected day, static`,
        value: staticTotal,
        unit: '$/day',
        goal: '> elastic',
        met: staticTotal > elastic,
      },
    );
  return figures;
}
