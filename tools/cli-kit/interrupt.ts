/**
 * Ctrl-C and SIGTERM for commands that stop cleanly (`npm run spike`,
 * `npm start`): the first signal aborts the work through one AbortSignal —
 * the command stops its producers, flushes what it writes, prints its
 * summary — and the command then exits with the shell's code for that
 * signal (130 for SIGINT, 143 for SIGTERM). A second signal more than a
 * second later quits at once: one Ctrl-C can arrive twice (from the
 * terminal to the whole process group, and relayed by npm and tsx), so
 * signals within that second count once.
 */
import { constants } from 'node:os';

export type StopSignal = 'SIGINT' | 'SIGTERM';

const SIGNALS: StopSignal[] = ['SIGINT', 'SIGTERM'];
const REPEAT_GRACE_MS = 1_000;

/** The exit code a shell reports for a process ended by `signal`. */
export const signalExitCode = (signal: StopSignal): number => 128 + constants.signals[signal];

export interface Interrupt {
  readonly signal: AbortSignal;
  /** The signal that stopped the command, if one did. */
  readonly received: StopSignal | undefined;
  /** 130/143 once a signal came, else undefined. */
  exitCode(): number | undefined;
  /** Stop listening (the command is done). */
  dispose(): void;
}

export interface InterruptOptions {
  /** Printed when the first signal arrives, e.g. "stopping the producers…". */
  onFirst(signal: StopSignal): void;
  /** Quit now (default process.exit). */
  exit?: (code: number) => void;
  now?: () => number;
}

export function listenForInterrupt(o: InterruptOptions): Interrupt {
  const abort = new AbortController();
  const now = o.now ?? Date.now;
  const exit = o.exit ?? ((code: number) => process.exit(code));
  let received: StopSignal | undefined;
  let firstAt = 0;
  const handlers = SIGNALS.map((s) => {
    const handler = () => {
      if (received) {
        if (now() - firstAt > REPEAT_GRACE_MS) exit(signalExitCode(s));
        return;
      }
      received = s;
      firstAt = now();
      o.onFirst(s);
      abort.abort(new Error(`stopped by ${s}`));
    };
    process.on(s, handler);
    return [s, handler] as const;
  });
  return {
    signal: abort.signal,
    get received() {
      return received;
    },
    exitCode: () => (received ? signalExitCode(received) : undefined),
    dispose() {
      for (const [s, h] of handlers) process.off(s, h);
    },
  };
}
