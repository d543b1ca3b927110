/**
 * `npm run spike` flags (pure): parsed with node:util parseArgs, checked,
 * every problem answered with one line saying what is wrong and how to fix it.
 */
import { numberFlag, parseCommandLine } from '../tools/cli-kit/command-line';
import { UsageError } from '../tools/cli-kit/errors';

export interface SpikeArgs {
  producers: number;
  spikeProducers: number;
  rate: number;
  baselineS: number;
  spikeS: number;
  cooldownS: number;
  seed: number;
  lateFraction: number;
  malformedFraction: number;
  outOfOrderS: number;
  record?: string;
  stream?: string;
  help: boolean;
}

export const SPIKE_DEFAULTS = {
  producers: 1,
  spikeProducers: 3,
  rate: 800,
  baselineS: 30,
  spikeS: 60,
  cooldownS: 30,
  seed: 1,
  lateFraction: 0,
  malformedFraction: 0,
  outOfOrderS: 0,
} as const;

export const SPIKE_USAGE = `usage: npm run spike -- [options]

Burst producers against the Kinesis stream: baseline -> spike -> cooldown.

  --producers N           producers during the whole run (default ${SPIKE_DEFAULTS.producers})
  --spike-producers M     producers added during the spike (default ${SPIKE_DEFAULTS.spikeProducers})
  --rate R                records/s per producer (default ${SPIKE_DEFAULTS.rate})
  --baseline S            baseline seconds (default ${SPIKE_DEFAULTS.baselineS})
  --spike S               spike seconds (default ${SPIKE_DEFAULTS.spikeS})
  --cooldown S            cooldown seconds (default ${SPIKE_DEFAULTS.cooldownS})
  --seed N                generator seed: same seed, same events (default ${SPIKE_DEFAULTS.seed})
  --late-fraction F       share of events older than the allowed lateness (0-1, default 0)
  --malformed-fraction F  share of malformed records (0-1, default 0)
  --out-of-order-s S      event time jitter into the past, seconds (default 0)
  --record FILE           write every accepted record as a JSON line to FILE
  --stream NAME           stream name (default <prefix>-events from the config)
  -h, --help              this text

The endpoint comes from AWS_ENDPOINT_URL (default http://127.0.0.1:4566).
Exit codes: 0 done, 1 the run failed (no cloud, no stream), 2 a wrong command line.`;

const FLAGS = {
  producers: { type: 'string' },
  'spike-producers': { type: 'string' },
  rate: { type: 'string' },
  baseline: { type: 'string' },
  spike: { type: 'string' },
  cooldown: { type: 'string' },
  seed: { type: 'string' },
  'late-fraction': { type: 'string' },
  'malformed-fraction': { type: 'string' },
  'out-of-order-s': { type: 'string' },
  record: { type: 'string' },
  stream: { type: 'string' },
} as const;

const number = numberFlag;

export function parseSpikeArgs(argv: string[]): SpikeArgs {
  const parsed = parseCommandLine({ invocation: 'npm run spike --', options: FLAGS }, argv);
  if (parsed.help) return { ...SPIKE_DEFAULTS, help: true };
  const values = parsed.values as Record<string, string | undefined>;
  const s = (k: string) => values[k] as string | undefined;
  const args: SpikeArgs = {
    producers: number('producers', s('producers'), SPIKE_DEFAULTS.producers, {
      int: true,
      min: 0,
      max: 100,
    }),
    spikeProducers: number('spike-producers', s('spike-producers'), SPIKE_DEFAULTS.spikeProducers, {
      int: true,
      min: 0,
      max: 100,
    }),
    rate: number('rate', s('rate'), SPIKE_DEFAULTS.rate, { min: 0, minExclusive: true }),
    baselineS: number('baseline', s('baseline'), SPIKE_DEFAULTS.baselineS, { min: 0 }),
    spikeS: number('spike', s('spike'), SPIKE_DEFAULTS.spikeS, { min: 0 }),
    cooldownS: number('cooldown', s('cooldown'), SPIKE_DEFAULTS.cooldownS, { min: 0 }),
    seed: number('seed', s('seed'), SPIKE_DEFAULTS.seed, { int: true, min: 0 }),
    lateFraction: number('late-fraction', s('late-fraction'), SPIKE_DEFAULTS.lateFraction, {
      min: 0,
      max: 1,
    }),
    malformedFraction: number(
      'malformed-fraction',
      s('malformed-fraction'),
      SPIKE_DEFAULTS.malformedFraction,
      { min: 0, max: 1 },
    ),
    outOfOrderS: number('out-of-order-s', s('out-of-order-s'), SPIKE_DEFAULTS.outOfOrderS, {
      min: 0,
    }),
    help: false,
  };
  if (s('record') !== undefined) {
    if (s('record')!.trim() === '')
      throw new UsageError('--record needs a file name, e.g. --record reports/records.jsonl');
    args.record = s('record');
  }
  if (s('stream') !== undefined) {
    if (s('stream')!.trim() === '')
      throw new UsageError('--stream needs a stream name, e.g. --stream streamscale-events');
    args.stream = s('stream');
  }
  if (args.lateFraction + args.malformedFraction > 1) {
    throw new UsageError(
      `--late-fraction + --malformed-fraction must be <= 1 (got ${args.lateFraction + args.malformedFraction})`,
    );
  }
  if (args.producers + args.spikeProducers === 0)
    throw new UsageError('no producers: set --producers or --spike-producers to at least 1');
  if (args.baselineS + args.spikeS + args.cooldownS <= 0)
    throw new UsageError(
      'the run has no duration: set --baseline, --spike or --cooldown to more than 0 seconds',
    );
  return args;
}
