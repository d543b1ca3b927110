import { describe, expect, it } from 'vitest';
import { numberFlag, parseCommandLine } from '../../../../tools/cli-kit/command-line';
import { UsageError } from '../../../../tools/cli-kit/errors';

const spec = {
  invocation: 'npm run thing --',
  options: { rate: { type: 'string' }, json: { type: 'boolean', default: false } },
} as const;

const usageError = (f: () => unknown): UsageError => {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).not.toContain('\n');
    return err as UsageError;
  }
  throw new Error('no UsageError');
};

describe('command-line parsing', () => {
  it('answers --help and -h, even next to a mistake', () => {
    expect(parseCommandLine(spec, ['--help'])).toEqual({ help: true });
    expect(parseCommandLine(spec, ['-h'])).toEqual({ help: true });
    expect(parseCommandLine(spec, ['--nonsense', '-h'])).toEqual({ help: true });
  });

  it('returns values and positionals', () => {
    const p = parseCommandLine({ ...spec, positionals: true }, ['a', '--rate', '5', '--json']);
    expect(p).toEqual({ help: false, values: { rate: '5', json: true }, positionals: ['a'] });
  });

  it('turns every parse error into one line that points to --help', () => {
    expect(usageError(() => parseCommandLine(spec, ['--speed'])).message).toBe(
      'unknown flag --speed; see npm run thing -- --help',
    );
    expect(usageError(() => parseCommandLine(spec, ['--rate'])).message).toBe(
      '--rate needs a value; see npm run thing -- --help',
    );
    expect(usageError(() => parseCommandLine(spec, ['extra'])).message).toBe(
      'unexpected argument "extra": options are --flags; see npm run thing -- --help',
    );
  });

  it('reads "--rate -3" as a bad value of --rate, not as a flag', () => {
    const p = parseCommandLine(spec, ['--rate', '-3']);
    expect(p.help === false && p.values.rate).toBe('-3');
    expect(
      usageError(() => numberFlag('rate', '-3', 1, { min: 0, minExclusive: true })).message,
    ).toBe('--rate must be a number > 0 (got -3)');
  });

  it('checks numbers against their range, with the default when absent', () => {
    expect(numberFlag('port', undefined, 8080, { int: true, min: 0, max: 65535 })).toBe(8080);
    expect(numberFlag('port', '0', 8080, { int: true, min: 0, max: 65535 })).toBe(0);
    expect(usageError(() => numberFlag('port', 'x', 1, { int: true, min: 0 })).message).toBe(
      '--port must be an integer >= 0 (got "x")',
    );
    expect(
      usageError(() => numberFlag('port', '70000', 1, { int: true, min: 0, max: 65535 })).message,
    ).toBe('--port must be an integer 0-65535 (got 70000)');
  });
});
