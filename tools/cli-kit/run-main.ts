/**
 * The one way a command starts and ends: the AWS SDK's Node.js-version
 * notice off through the SDK's documented switch (README, "Node.js
 * versions"; a user may set it to "false"), the command's main run, and
 * every error turned into one line on stderr and the documented exit code
 * (errors.ts). A stack trace only with STREAMSCALE_DEBUG set.
 */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../../functions/config';
import { CommandError, EXIT, UsageError, type ExitCode } from './errors';

/** A command's main: its exit code (EXIT, or 130 after Ctrl-C), or nothing for 0. */
export type Main = (argv: string[]) => Promise<number | void>;

export interface RunOptions {
  /** Prefix of error lines, e.g. "query" → "query: …". */
  name: string;
  argv?: string[];
  /** End the process when main returns (for commands whose clients keep sockets open). */
  exitWhenDone?: boolean;
  err?: { write(s: string): unknown };
}

export function quietSdkNodeNotice(env: NodeJS.ProcessEnv = process.env): void {
  env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}

/** The exit code and the one line a failure prints. */
export function describeFailure(err: unknown, name: string): { code: ExitCode; line: string } {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof UsageError || err instanceof ConfigError)
    return { code: EXIT.usage, line: `${name}: ${message}` };
  if (err instanceof CommandError) return { code: EXIT.failure, line: `${name}: ${message}` };
  return { code: EXIT.failure, line: `${name} failed: ${message.split('\n')[0]}` };
}

/** Runs a command's main and sets the exit code; never throws. */
export async function runMain(main: Main, o: RunOptions): Promise<number> {
  quietSdkNodeNotice();
  const err = o.err ?? process.stderr;
  let code: number;
  try {
    code = (await main(o.argv ?? process.argv.slice(2))) ?? EXIT.ok;
  } catch (e) {
    const f = describeFailure(e, o.name);
    err.write(`${f.line}\n`);
    if (process.env.STREAMSCALE_DEBUG && e instanceof Error && e.stack) err.write(`${e.stack}\n`);
    code = f.code;
  }
  process.exitCode = code;
  if (o.exitWhenDone) process.exit(code);
  return code;
}

/**
 * True when the module is the script node (or tsx) was started with: a
 * command's file runs its main then, and only exports it when a test
 * imports it.
 */
export function isEntry(moduleUrl: string, argv1: string | undefined = process.argv[1]): boolean {
  if (!argv1) return false;
  try {
    return pathToFileURL(realpathSync(argv1)).href === moduleUrl;
  } catch {
    return false;
  }
}
