/**
 * CloudWatch on a data dir: two parts. Metrics (every series' retained
 * 1-second buckets, large) are saved every few seconds; dashboards and
 * alarms (small) every second. An alarm is saved as the PutMetricAlarm
 * input that made it plus its state, and restored by decoding that input
 * again, so a restored alarm is checked exactly as a new one.
 */
import { PERSISTENCE } from '../config';
import type { Persistence } from '../contracts';
import type { AlarmBook, SavedAlarm } from './alarm-operations';
import type { Dashboard } from './dashboard-operations';
import type { MetricStore, SavedSeries } from './metric-store';

interface SavedCloudWatch {
  dashboards: Array<{ name: string; body: string; modified: number }>;
  alarms: SavedAlarm[];
}

export function registerCloudWatchPersistence(
  persistence: Persistence | undefined,
  metrics: MetricStore,
  dashboards: Map<string, Dashboard>,
  alarms: AlarmBook,
): void {
  if (!persistence) return;
  persistence.register({
    name: 'cloudwatch-metrics',
    intervalMs: PERSISTENCE.largePartIntervalMs,
    snapshot: () => metrics.snapshot(),
    restore: (saved) => saved && metrics.restore(saved as SavedSeries[]),
  });
  persistence.register({
    name: 'cloudwatch',
    snapshot: (): SavedCloudWatch => ({
      dashboards: [...dashboards.values()].map((d) => ({
        name: d.name,
        body: d.body,
        modified: d.modified.getTime(),
      })),
      alarms: alarms.saved(),
    }),
    restore: (raw) => {
      const saved = raw as SavedCloudWatch | undefined;
      if (!saved) return;
      for (const d of saved.dashboards)
        dashboards.set(d.name, { name: d.name, body: d.body, modified: new Date(d.modified) });
      alarms.restore(saved.alarms);
    },
  });
}
