/**
 * The exit codes every command documents (README, each --help): 0 done,
 * 1 the work failed (a cloud not reachable, a stack not deployed, a run
 * that did not pass), 2 the command line or configuration was wrong.
 */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A mistake in the command line: one line saying what is wrong and how to fix it. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The work failed for a reason the user can act on: one line, no stack trace, exit 1. */
export class CommandError extends Error {
  override name = 'CommandError';
}
