/**
 * The one live-progress renderer of the commands (`npm run spike`,
 * `npm start`): on a terminal, a block of lines redrawn in place; elsewhere
 * (a pipe, a log file), the block printed every few seconds. On a terminal
 * every line is cut to the terminal's width, read at each draw: a line that
 * wrapped would take two rows, and moving the cursor up by the number of
 * lines would then leave the wrapped rows behind at every update.
 */
import { textWidth } from './table';

export interface LiveOutput {
  write(s: string): unknown;
  isTTY?: boolean;
  /** Terminal width (a TTY stream has it). */
  columns?: number;
}

/** Width assumed when a terminal does not say. */
export const FALLBACK_COLUMNS = 80;

/** The line cut to fit `columns` (one column kept free, so no terminal wraps early). */
export function fitLine(line: string, columns: number): string {
  const room = Math.max(1, columns - 1);
  if (textWidth(line) <= room) return line;
  return `${[...line].slice(0, room - 1).join('')}…`;
}

export class LiveBlock {
  private drawn = 0;
  private lastPlainAt = -Infinity;

  constructor(
    private readonly out: LiveOutput,
    private readonly plainEveryMs = 5_000,
  ) {}

  get isTTY(): boolean {
    return Boolean(this.out.isTTY);
  }

  /** Redraws the block (terminal), or prints it if `plainEveryMs` passed since the last print. */
  draw(lines: string[], nowMs = Date.now()): void {
    if (this.isTTY) {
      const columns = this.out.columns ?? FALLBACK_COLUMNS;
      const up = this.drawn > 0 ? `\x1b[${this.drawn}F` : '';
      const body = lines.map((l) => `\x1b[2K${fitLine(l, columns)}`).join('\n');
      // Lines left over from a taller previous block are cleared too.
      const extra = Math.max(0, this.drawn - lines.length);
      const clear = extra > 0 ? `${'\n\x1b[2K'.repeat(extra)}\x1b[${extra}F` : '';
      this.out.write(`${up}${body}${clear}\n`);
      this.drawn = lines.length;
    } else if (nowMs - this.lastPlainAt >= this.plainEveryMs) {
      this.lastPlainAt = nowMs;
      this.out.write(`${lines.join('\n')}\n`);
    }
  }

  /** Forget the block: what is printed next starts below it. */
  release(): void {
    this.drawn = 0;
  }
}
