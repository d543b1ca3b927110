/**
 * `npm run spike`: burst producers against the stream (baseline → spike →
 * cooldown), live progress, a summary. Exit 0 when every record was
 * accepted; 1 with one line saying why when the run could not finish (the
 * endpoint stopped answering, the stream went away, records never sent);
 * 130/143 after Ctrl-C/SIGTERM, once the producers have stopped, the
 * --record log holds every accepted record and the summary is printed.
 * Endpoint from AWS_ENDPOINT_URL (default the embedded cloud on
 * 127.0.0.1:4566).
 */
import { cloudWatchClient, dynamoClient, kinesisClient } from '../functions/aws/clients';
import { fromEnv, resourceNames, type StreamscaleConfig } from '../functions/config';
import { applyCliDefaults, endpointInUse } from '../tools/cli-kit/aws-env';
import { EXIT } from '../tools/cli-kit/errors';
import { listenForInterrupt } from '../tools/cli-kit/interrupt';
import { isEntry, runMain } from '../tools/cli-kit/run-main';
import { DemandHeartbeat } from './demand-heartbeat';
import { PRODUCER_CONFIG } from './producer-config';
import { ProducerMetrics } from './producer-metrics';
import { emptyStats } from './producer-stats';
import { ProgressRenderer, summaryLines } from './progress-view';
import { RecordLog } from './record-log';
import { parseSpikeArgs, SPIKE_USAGE, type SpikeArgs } from './spike-args';
import { planSpike, type SpikePlan } from './spike-plan';
import { runSpike, type SpikeSummary } from './spike-runner';
import { EndpointDownError } from './endpoint-health';
import { checkStream, drainTimeoutMessage, runFailureMessage, SpikeError } from './stream-check';

const out = (line: string) => process.stdout.write(`${line}\n`);

function planOf(args: SpikeArgs): SpikePlan {
  return planSpike({
    producers: args.producers,
    spikeProducers: args.spikeProducers,
    baselineS: args.baselineS,
    spikeS: args.spikeS,
    cooldownS: args.cooldownS,
  });
}

function generatorOf(args: SpikeArgs, config: StreamscaleConfig) {
  return {
    seed: args.seed,
    lateFraction: args.lateFraction,
    malformedFraction: args.malformedFraction,
    outOfOrderS: args.outOfOrderS,
    allowedLatenessMs: config.windowing.allowedLatenessMs,
    windowSizeMs: config.windowing.windowSizeMs,
    futureSkewMs: config.windowing.maxFutureSkewMs * 4,
  };
}

function printSummary(summary: SpikeSummary, log: RecordLog | undefined): void {
  for (const line of summaryLines(summary.stats, summary.durationMs, summary.abandoned)) out(line);
  if (log) out(`  ${log.lines} accepted records written to ${log.path}`);
  const mem = process.memoryUsage();
  out(
    `  producer memory: peak rss ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB, heap ${(mem.heapUsed / 1024 / 1024).toFixed(1)} MiB`,
  );
}

export async function main(argv: string[]): Promise<number> {
  const args = parseSpikeArgs(argv);
  if (args.help) {
    out(SPIKE_USAGE);
    return EXIT.ok;
  }
  applyCliDefaults();
  const config = fromEnv();
  const stream = args.stream ?? resourceNames(config.prefix).stream;
  const endpoint = endpointInUse();
  // Our own retries, counted: the SDK's are off.
  const kinesis = kinesisClient({ maxAttempts: 1, maxSockets: 128 });
  // Metrics are best effort: one attempt each.
  const cloudwatch = cloudWatchClient({ maxAttempts: 1 });
  const interrupt = listenForInterrupt({
    onFirst: (s) =>
      out(
        `\n${s}: stopping the producers (${s === 'SIGINT' ? 'Ctrl-C' : 'SIGTERM'} again to quit at once)…`,
      ),
  });
  let log: RecordLog | undefined;
  try {
    const shards = await checkStream(kinesis, stream, endpoint);
    const record = args.record ? new RecordLog(args.record) : undefined;
    log = record;
    const plan = planOf(args);
    out(
      `spike on ${stream} (${shards} open shard${shards === 1 ? '' : 's'}) at ${endpoint}: ` +
        plan.phases
          .map((p) => `${p.name} ${(p.endMs - p.startMs) / 1000}s × ${p.producers}`)
          .join(' → ') +
        `, ${args.rate} rec/s per producer, seed ${args.seed}`,
    );
    const stats = emptyStats();
    const metrics = new ProducerMetrics({
      client: cloudwatch,
      namespace: config.metricsNamespace,
      prefix: config.prefix,
      stats,
    });
    metrics.start();
    // The scaler reads the producers' demand from the control table (docs/autoscaling.md).
    const demand = new DemandHeartbeat({
      client: dynamoClient(),
      table: resourceNames(config.prefix).controlTable,
      stats,
      intervalMs: PRODUCER_CONFIG.demandHeartbeatMs,
    });
    demand.start();
    const view = new ProgressRenderer(process.stdout);
    const summary = await runSpike({
      client: kinesis,
      streamName: stream,
      plan,
      ratePerProducer: args.rate,
      generator: generatorOf(args, config),
      stats,
      signal: interrupt.signal,
      onAccepted: record ? (r) => record.write(r) : undefined,
      onStatus: (s) => view.update(s),
    });
    await log?.close();
    printSummary(summary, log);
    await metrics.stop(!(summary.error instanceof EndpointDownError));
    await demand.stop();
    const stopped = interrupt.exitCode();
    if (stopped !== undefined) return stopped;
    const failure = { endpoint, stream, neverSent: summary.abandoned };
    if (summary.error !== undefined)
      throw new SpikeError(runFailureMessage(summary.error, failure));
    if (summary.abandoned > 0) throw new SpikeError(drainTimeoutMessage(failure));
    return EXIT.ok;
  } finally {
    interrupt.dispose();
    await log?.close().catch(() => undefined);
    kinesis.destroy();
    cloudwatch.destroy();
  }
}

// The SDK's keep-alive sockets would hold the process open after the summary.
if (isEntry(import.meta.url)) void runMain(main, { name: 'spike', exitWhenDone: true });
