/**
 * `npm start`: the one-command demo. Starts the embedded local cloud unless
 * one is running, deploys the stack, runs the profile's spike with a live
 * view, waits (bounded) for the stream to drain and the last windows to
 * close, prints crash alerts, the course table, the scaling timeline, usage
 * and cost, writes reports/<timestamp>/ (report.md, SVG charts,
 * records.jsonl, metrics.json), shuts down what it started, exits 0.
 * Each step lives in its own demo-*.ts file; this one sequences them.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  cloudWatchClient,
  dynamoClient,
  kinesisClient,
  lambdaClient,
} from '../../functions/aws/clients';
import type { ResourceNames, StreamscaleConfig } from '../../functions/config';
import { createResultsReader } from '../../functions/store/results-reader';
import {
  clearLocalCloudState,
  localCloudStatePath,
} from '../../localcloud/deploy/local-cloud-state';
import { deployLocal } from '../../localcloud/deploy/deploy-local';
import { summaryLines } from '../../producer/progress-view';
import { runFailureMessage } from '../../producer/stream-check';
import { applyCliDefaults, endpointInUse } from '../cli-kit/aws-env';
import { CommandError, EXIT } from '../cli-kit/errors';
import { listenForInterrupt, type Interrupt } from '../cli-kit/interrupt';
import { isEntry, runMain } from '../cli-kit/run-main';
import { describeCloudError } from '../query/endpoint-errors';
import { DEMO_USAGE, parseDemoArgs } from './demo-args';
import { demoConfig, startCloud } from './demo-cloud';
import { newRunState, out, type DemoContext } from './demo-context';
import { startLiveView } from './demo-live';
import {
  costStep,
  goalsStep,
  metricsStep,
  queryStep,
  reportStep,
  timelineStep,
  usageStep,
} from './demo-results';
import { scaleInStep, settleStep, spikeStep, type SpikeResult } from './demo-spike';
import { PipelineObserver } from './pipeline-observer';
import type { DemoProfile } from './profiles';
import { startStallWatchdog } from './stall-watchdog';

const stamp = (d: Date) =>
  d
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/:/g, '-');

export async function main(argv: string[]): Promise<number> {
  const { help, profile } = parseDemoArgs(argv);
  if (help) {
    out(DEMO_USAGE);
    return EXIT.ok;
  }
  applyCliDefaults();
  const config = demoConfig(profile);
  const started = new Date();
  const runDir = join('reports', stamp(started));
  mkdirSync(runDir, { recursive: true });
  out(`streamscale demo, profile ${profile.name}: ${profile.description}`);
  out(`report directory: ${runDir}`);

  const interrupt = listenForInterrupt({
    onFirst: (sig) => {
      const name = sig === 'SIGINT' ? 'Ctrl-C' : sig;
      out(`\n${name}: stopping the producers and shutting down (${name} again to quit at once)…`);
    },
  });
  try {
    return await demo({ profile, config, runDir, started, interrupt });
  } catch (err) {
    // Stopped by a signal mid-deploy: the deploy's abort is no failure.
    if (interrupt.received) return interrupt.exitCode()!;
    // A cloud that is not there or does not answer: one line naming it, not a stack trace.
    const message = describeCloudError(err, { endpoint: endpointInUse() });
    throw message ? new CommandError(message) : err;
  } finally {
    interrupt.dispose();
  }
}

/** Cloud, deploy, spike and results, once the signals are handled. */
async function demo(o: {
  profile: DemoProfile;
  config: StreamscaleConfig;
  runDir: string;
  started: Date;
  interrupt: Interrupt;
}): Promise<number> {
  const { profile, config, runDir, started, interrupt } = o;
  const { endpoint, cloud } = await startCloud(profile, join(runDir, 'cloud.log'));
  const watchdog = cloud
    ? startStallWatchdog({
        stallMs: 60_000,
        message: `npm start: the embedded local cloud has blocked this process for {s} s (a cloud part is busy-looping; see ${join(runDir, 'cloud.log')}) — stopping. What was recorded is in ${runDir}.`,
        cleanupFile: localCloudStatePath(),
      })
    : undefined;
  process.env.AWS_ENDPOINT_URL = endpoint;
  const stopCloud = async () => {
    if (!cloud) return;
    clearLocalCloudState(process.pid);
    await cloud.stop();
  };
  process.on('exit', () => cloud && clearLocalCloudState(process.pid));
  const clients = {
    kinesis: kinesisClient({ endpoint, maxAttempts: 1, maxSockets: 128 }),
    cloudwatch: cloudWatchClient({ endpoint }),
    dynamo: dynamoClient({ endpoint }),
    lambda: lambdaClient({ endpoint }),
  };
  try {
    if (interrupt.received) return interrupt.exitCode()!;
    out('deploying the stack (cdk synth, then deploy:local)…');
    const deployed = await deployLocal({
      endpoint,
      synth: true,
      signal: interrupt.signal,
      log: (l) => out(`  ${l}`),
    });
    out(`deployed in ${((deployed.synthMs + deployed.deployMs) / 1000).toFixed(1)} s`);
    if (interrupt.received) return interrupt.exitCode()!;
    return await runDemo({ profile, config, runDir, endpoint, clients, interrupt, started });
  } finally {
    watchdog?.stop();
    for (const c of Object.values(clients)) c.destroy();
    await stopCloud();
    if (cloud) out('stopped the embedded local cloud');
  }
}

/** Start the live view, spike, settle, watch the scale-in, then report. */
async function runDemo(c: DemoContext): Promise<number> {
  const { config, clients } = c;
  const observer = new PipelineObserver(clients, config);
  const names = observer.names;
  const reader = createResultsReader({
    client: clients.dynamo,
    names,
    windowSizeMs: config.windowing.windowSizeMs,
  });
  const run = newRunState();
  const live = startLiveView(c, observer, reader, run);
  const spike = await spikeStep(c, names, run, join(c.runDir, 'records.jsonl'));
  const settleLines = await settleStep(c, names, run, spike.summary);
  await scaleInStep(c, run, spike);
  await live.stop();
  const ended = new Date();
  const stoppedBy = c.interrupt.exitCode();
  if (stoppedBy !== undefined || spike.summary.error)
    return stoppedEarly(c, names, spike, stoppedBy);

  out();
  const { summary } = spike;
  for (const l of summaryLines(summary.stats, summary.durationMs, summary.abandoned)) out(l);
  const { crashText, courseText } = await queryStep(c, reader, run, ended);
  const { series, timeline } = await timelineStep(observer, run, ended);
  const { runMetrics, counts } = await metricsStep(c, names, run, series, ended);
  const goals = goalsStep(c, run, spike, runMetrics);
  const usage = usageStep(spike, series, runMetrics, counts);
  const cost = await costStep(c);
  reportStep(c, {
    ended,
    spike,
    runMetrics,
    series,
    crashText,
    courseText,
    timeline,
    goals,
    usage,
    cost,
    settleLines,
  });
  return 0;
}

/** A signal or a failed spike: say what was sent, then exit with the signal's code or the failure. */
function stoppedEarly(
  c: DemoContext,
  names: ResourceNames,
  spike: SpikeResult,
  stoppedBy: number | undefined,
): number {
  const { summary } = spike;
  out();
  for (const l of summaryLines(summary.stats, summary.durationMs, summary.abandoned)) out(l);
  out(`stopped early; the ${spike.log.lines} accepted records are in ${spike.recordsPath}`);
  if (stoppedBy !== undefined) return stoppedBy;
  throw new CommandError(
    runFailureMessage(summary.error, {
      endpoint: c.endpoint,
      stream: names.stream,
      neverSent: summary.abandoned,
    }),
  );
}

// Exits when done: the embedded cloud it started and the SDK's sockets would hold the process.
if (isEntry(import.meta.url)) void runMain(main, { name: 'npm start', exitWhenDone: true });
