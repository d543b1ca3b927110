/**
 * `npm run spike`: burst producers against the stream (baseline → spike →
 * cooldown), live progress, a summary, exit 0. Endpoint from
 * AWS_ENDPOINT_URL (default the embedded cloud on 127.0.0.1:4566).
 */
import { cloudWatchClient, kinesisClient } from '../functions/aws/clients';
import { fromEnv, resourceNames } from '../functions/config';
import { applyCliDefaults } from '../tools/cli-kit/aws-env';
import { EXIT, type ExitCode } from '../tools/cli-kit/errors';
import { isEntry, runMain } from '../tools/cli-kit/run-main';
import { ProducerMetrics } from './producer-metrics';
import { emptyStats } from './producer-stats';
import { ProgressRenderer, summaryLines } from './progress-view';
import { RecordLog } from './record-log';
import { parseSpikeArgs, SPIKE_USAGE } from './spike-args';
import { planSpike } from './spike-plan';
import { runSpike } from './spike-runner';
import { checkStream, isConnectionError, noEndpointMessage, SpikeError } from './stream-check';

export async function main(argv: string[]): Promise<ExitCode> {
  const args = parseSpikeArgs(argv);
  if (args.help) {
    process.stdout.write(`${SPIKE_USAGE}\n`);
    return EXIT.ok;
  }
  applyCliDefaults();
  const config = fromEnv();
  const stream = args.stream ?? resourceNames(config.prefix).stream;
  const endpoint = process.env.AWS_ENDPOINT_URL ?? 'the AWS endpoint';
  // Our own retries, counted: the SDK's are off.
  const kinesis = kinesisClient({ maxAttempts: 1, maxSockets: 128 });
  const cloudwatch = cloudWatchClient();
  const shards = await checkStream(kinesis, stream, endpoint);
  const plan = planSpike({
    producers: args.producers,
    spikeProducers: args.spikeProducers,
    baselineS: args.baselineS,
    spikeS: args.spikeS,
    cooldownS: args.cooldownS,
  });
  process.stdout.write(
    `spike on ${stream} (${shards} open shard${shards === 1 ? '' : 's'}) at ${endpoint}: ` +
      plan.phases
        .map((p) => `${p.name} ${(p.endMs - p.startMs) / 1000}s × ${p.producers}`)
        .join(' → ') +
      `, ${args.rate} rec/s per producer, seed ${args.seed}\n`,
  );
  const stats = emptyStats();
  const log = args.record ? new RecordLog(args.record) : undefined;
  const metrics = new ProducerMetrics({
    client: cloudwatch,
    namespace: config.metricsNamespace,
    prefix: config.prefix,
    stats,
  });
  metrics.start();
  const view = new ProgressRenderer(process.stdout);
  const abort = new AbortController();
  // One Ctrl-C may arrive twice (the terminal's process group and tsx relaying it): a second one counts after a moment.
  let firstSigintAt = 0;
  const onSigint = () => {
    if (abort.signal.aborted) {
      if (Date.now() - firstSigintAt > 1_000) process.exit(130);
      return;
    }
    firstSigintAt = Date.now();
    process.stdout.write('\nstopping (Ctrl-C again to quit at once)…\n');
    abort.abort();
  };
  process.on('SIGINT', onSigint);
  try {
    const summary = await runSpike({
      client: kinesis,
      streamName: stream,
      plan,
      ratePerProducer: args.rate,
      generator: {
        seed: args.seed,
        lateFraction: args.lateFraction,
        malformedFraction: args.malformedFraction,
        outOfOrderS: args.outOfOrderS,
        allowedLatenessMs: config.windowing.allowedLatenessMs,
        windowSizeMs: config.windowing.windowSizeMs,
        futureSkewMs: config.windowing.maxFutureSkewMs * 4,
      },
      stats,
      signal: abort.signal,
      onAccepted: log ? (r) => log.write(r) : undefined,
      onStatus: (s) => view.update(s),
    });
    await metrics.stop();
    await log?.close();
    for (const line of summaryLines(summary.stats, summary.durationMs, summary.abandoned))
      process.stdout.write(`${line}\n`);
    if (log) process.stdout.write(`  ${log.lines} accepted records written to ${log.path}\n`);
    const mem = process.memoryUsage();
    process.stdout.write(
      `  producer memory: peak rss ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB, heap ${(mem.heapUsed / 1024 / 1024).toFixed(1)} MiB\n`,
    );
    return EXIT.ok;
  } catch (err) {
    if (isConnectionError(err)) throw new SpikeError(noEndpointMessage(endpoint));
    if ((err as { name?: string }).name === 'ResourceNotFoundException')
      throw new SpikeError(`stream ${stream} not found — deploy with \`npm run deploy:local\``);
    throw err;
  } finally {
    process.off('SIGINT', onSigint);
    await log?.close().catch(() => undefined);
    kinesis.destroy();
    cloudwatch.destroy();
  }
}

// The SDK's keep-alive sockets would hold the process open after the summary.
if (isEntry(import.meta.url)) void runMain(main, { name: 'spike', exitWhenDone: true });
