import { describe, expect, it } from 'vitest';
import { parseSpikeArgs, SPIKE_DEFAULTS } from '../../../producer/spike-args';
import { UsageError } from '../../../tools/cli-kit/errors';

describe('npm run spike flags', () => {
  it('defaults to the lab experiment', () => {
    const a = parseSpikeArgs([]);
    expect(a).toMatchObject({ ...SPIKE_DEFAULTS, help: false });
    expect(a.record).toBeUndefined();
  });

  it('reads every flag', () => {
    const a = parseSpikeArgs([
      '--producers',
      '2',
      '--spike-producers',
      '5',
      '--rate',
      '250.5',
      '--baseline',
      '3',
      '--spike',
      '4',
      '--cooldown',
      '0',
      '--seed',
      '42',
      '--late-fraction',
      '0.1',
      '--malformed-fraction',
      '0.05',
      '--out-of-order-s',
      '2.5',
      '--record',
      'out/r.jsonl',
      '--stream',
      'my-events',
    ]);
    expect(a).toEqual({
      producers: 2,
      spikeProducers: 5,
      rate: 250.5,
      baselineS: 3,
      spikeS: 4,
      cooldownS: 0,
      seed: 42,
      lateFraction: 0.1,
      malformedFraction: 0.05,
      outOfOrderS: 2.5,
      record: 'out/r.jsonl',
      stream: 'my-events',
      help: false,
    });
    expect(parseSpikeArgs(['--help']).help).toBe(true);
  });

  const bad: Array<[string[], RegExp]> = [
    [['--producers', 'two'], /^--producers must be an integer 0-100 \(got "two"\)/],
    [['--producers', '1.5'], /^--producers must be an integer/],
    [['--rate', '0'], /^--rate must be a number > 0 \(got 0\)/],
    [['--rate', '-3'], /^--rate must be a number > 0/],
    [['--late-fraction', '1.5'], /^--late-fraction must be a number 0-1 \(got 1.5\)/],
    [['--late-fraction', '0.6', '--malformed-fraction', '0.6'], /must be <= 1/],
    [['--speed', '3'], /^unknown flag --speed; see npm run spike -- --help/],
    [['--rate'], /^--rate needs a value/],
    [['extra'], /^unexpected argument "extra"/],
    [['--rate', '5', '--verbose'], /^unknown flag --verbose; see npm run spike -- --help$/],
    [['--producers', '0', '--spike-producers', '0'], /^no producers/],
    [['--baseline', '0', '--spike', '0', '--cooldown', '0'], /^the run has no duration/],
    [['--record', ''], /^--record needs a file name/],
  ];
  it.each(bad)('rejects %j with a one-line fix', (argv, message) => {
    let err: unknown;
    try {
      parseSpikeArgs(argv);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).not.toContain('\n');
  });
});
