import { describe, expect, it } from 'vitest';
import { visibleRows } from '../../../support/terminal';
import { fitLine, LiveBlock } from '../../../../tools/cli-kit/live-block';

/** A terminal of the given width that records what is written. */
const terminal = (columns?: number) => {
  const t = { isTTY: true, columns, text: '', write: (s: string) => ((t.text += s), true) };
  return t;
};
describe('live block', () => {
  it('redraws in place on a terminal', () => {
    const t = terminal(80);
    const b = new LiveBlock(t);
    b.draw(['a', 'b']);
    b.draw(['c', 'd']);
    expect(t.text).toBe('\x1b[2Ka\n\x1b[2Kb\n\x1b[2F\x1b[2Kc\n\x1b[2Kd\n');
  });

  it('cuts every line to the terminal width, so nothing wraps and stays behind', () => {
    const t = terminal(80);
    const b = new LiveBlock(t);
    const long = `  input     ${'█'.repeat(24)} ${'x'.repeat(90)}`;
    b.draw([long, 'short']);
    b.draw([long, 'short']);
    for (const line of visibleRows(t.text)) expect([...line].length).toBeLessThan(80);
    expect(visibleRows(t.text)[0]).toMatch(/…$/);
    expect(fitLine('abc', 80)).toBe('abc');
  });

  it('reads the width at each draw and assumes 80 columns when the terminal does not say', () => {
    const t = terminal(undefined);
    new LiveBlock(t).draw(['y'.repeat(200)]);
    expect([...visibleRows(t.text)[0]!].length).toBe(79);
  });

  it('clears the rows of a taller previous block', () => {
    const t = terminal(80);
    const b = new LiveBlock(t);
    b.draw(['a', 'b', 'c']);
    t.text = '';
    b.draw(['d']);
    expect(t.text).toBe('\x1b[3F\x1b[2Kd\n\x1b[2K\n\x1b[2K\x1b[2F\n');
  });

  it('elsewhere prints the block every plainEveryMs, whole lines', () => {
    let plain = '';
    const b = new LiveBlock({ write: (s: string) => ((plain += s), true) }, 10_000);
    b.draw(['x'.repeat(200)], 0);
    b.draw(['y'], 5_000);
    b.draw(['z'], 10_000);
    expect(plain).toBe(`${'x'.repeat(200)}\nz\n`);
  });
});
