/**
 * The demo's live view: every 2 s it reads CloudWatch and the APIs and redraws
 * the block; crash alerts from the final windows every few ticks. Runs beside
 * the spike, the settle and the scale-in watch until stopped.
 */
import { crashRows } from '../../functions/core/partials';
import type { createResultsReader } from '../../functions/store/results-reader';
import { LiveBlock } from '../cli-kit/live-block';
import { PERIOD_S, type DemoContext, type RunState } from './demo-context';
import { liveLines, type LiveSnapshot } from './live-view';
import { latestAtOrBefore, seriesSum, type PipelineObserver } from './pipeline-observer';
import { describeTimeline, timelineEvents } from './scaling-timeline';

type Reader = ReturnType<typeof createResultsReader>;

export interface LiveView {
  /** Ends the loop after its current tick and releases the terminal block. */
  stop(): Promise<void>;
}

export function startLiveView(
  c: DemoContext,
  observer: PipelineObserver,
  reader: Reader,
  run: RunState,
): LiveView {
  const view = new LiveBlock(process.stdout, 10_000);
  const maxRate = Math.max(1, (c.profile.producers + c.profile.spikeProducers) * c.profile.rate);
  let live = true;
  const counter = { tick: 0 };
  const loop = (async () => {
    while (live) {
      try {
        const snapshot = await readSnapshot(c, observer, reader, run, counter);
        view.draw(liveLines(snapshot, maxRate));
      } catch {
        // A slow or failing read only delays the view.
      }
      await new Promise((r) => setTimeout(r, 2_000));
    }
  })();
  return {
    stop: async () => {
      live = false;
      await loop;
      view.release();
    },
  };
}

async function readSnapshot(
  c: DemoContext,
  observer: PipelineObserver,
  reader: Reader,
  run: RunState,
  counter: { tick: number },
): Promise<LiveSnapshot> {
  const { config } = c;
  const now = Date.now();
  const [state, series] = await Promise.all([
    observer.state(),
    observer.series(run.t0 - 60_000, now + 5_000, PERIOD_S),
  ]);
  run.states.push(state);
  if (counter.tick++ % 3 === 0 && Number.isFinite(run.minEventMs)) {
    const finals = await reader.finals(
      run.minEventMs - config.windowing.windowSizeMs,
      now + 60_000,
    );
    run.alerts = finals.reduce(
      (a, w) => a + crashRows(w.aggregates, config.windowing.crashAlertThreshold).length,
      0,
    );
  }
  const complete = now - PERIOD_S * 1000; // last bucket that has ended
  const rate = (k: string) => (latestAtOrBefore(series[k], complete) ?? 0) / PERIOD_S;
  const st = run.spikeStatus?.stats ?? run.stats;
  return {
    elapsedS: (now - run.t0) / 1000,
    phase: run.phase,
    producers: run.spikeStatus?.activeProducers ?? 0,
    inputRate: rate('incomingRecords'),
    processedRate: rate('recordsProcessed'),
    throttledRate: rate('throttledRecords'),
    sent: st.sent,
    accepted: st.accepted,
    throttled: st.throttled,
    retried: st.retried,
    producerLimit: st.limit, // kpl (issue 14)
    shards: state.shards,
    parallelization: state.parallelization,
    concurrency:
      latestAtOrBefore(series.consumerConcurrentExecutions, now) ??
      (state.shards ?? 0) * (state.parallelization ?? 1),
    iteratorAgeMs:
      latestAtOrBefore(series.iteratorAgeMs, now) ??
      latestAtOrBefore(series.kinesisIteratorAgeMs, now),
    windowsClosed: seriesSum(series.windowsClosed),
    alerts: run.alerts,
    rejected: seriesSum(series.recordsRejected),
    late: seriesSum(series.lateRecords),
    decisions: describeTimeline(timelineEvents(run.states), run.t0, 90),
  };
}
