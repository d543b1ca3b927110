import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../functions/config';
import { CommandError, EXIT, UsageError } from '../../../../tools/cli-kit/errors';
import { isEntry, runMain } from '../../../../tools/cli-kit/run-main';

const SWITCH = 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED';
const saved = { switch: process.env[SWITCH], exitCode: process.exitCode };
afterEach(() => {
  if (saved.switch === undefined) delete process.env[SWITCH];
  else process.env[SWITCH] = saved.switch;
  process.exitCode = saved.exitCode;
});

const run = async (main: () => Promise<number | void>) => {
  let err = '';
  const code = await runMain(main, { name: 'thing', argv: [], err: { write: (s) => (err += s) } });
  return { code, err };
};

describe('runMain', () => {
  it('exits 0 when main is done', async () => {
    expect(await run(async () => undefined)).toEqual({ code: EXIT.ok, err: '' });
  });

  it('a usage or configuration mistake: one line, exit 2', async () => {
    const usage = await run(async () => {
      throw new UsageError('--rate must be a number');
    });
    expect(usage).toEqual({ code: EXIT.usage, err: 'thing: --rate must be a number\n' });
    const config = await run(async () => {
      throw new ConfigError('unknown setting "x"');
    });
    expect(config).toEqual({ code: EXIT.usage, err: 'thing: unknown setting "x"\n' });
  });

  it('a failure: one line, no stack trace, exit 1', async () => {
    const known = await run(async () => {
      throw new CommandError('no local cloud at http://127.0.0.1:4566');
    });
    expect(known).toEqual({
      code: EXIT.failure,
      err: 'thing: no local cloud at http://127.0.0.1:4566\n',
    });
    const other = await run(async () => {
      throw new Error('boom\n    at somewhere');
    });
    expect(other).toEqual({ code: EXIT.failure, err: 'thing failed: boom\n' });
  });

  it("switches the SDK's Node.js notice off with its documented setting, unless the user set it", async () => {
    delete process.env[SWITCH];
    await run(async () => undefined);
    expect(process.env[SWITCH]).toBe('true');
    process.env[SWITCH] = 'false';
    await run(async () => undefined);
    expect(process.env[SWITCH]).toBe('false');
  });

  it('knows whether a module is the script that was started', () => {
    expect(isEntry(import.meta.url, new URL(import.meta.url).pathname)).toBe(true);
    expect(isEntry(import.meta.url, '/nonexistent/other.ts')).toBe(false);
    expect(isEntry(import.meta.url, undefined)).toBe(false);
  });
});
