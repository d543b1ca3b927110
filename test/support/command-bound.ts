/**
 * How long a test lets a spawned command (node + tsx + the AWS SDK + the command's own work) run
 * before it counts as hung. A bound, not an expectation: a passing run never waits for it, and on
 * two cores with one kept busy (npm run test:stress) starting tsx alone can take many seconds, so a
 * tight bound would fail a correct command on a busy machine.
 */
export const COMMAND_BOUND_MS = 90_000;
