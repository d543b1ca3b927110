import { describe, expect, it } from 'vitest';
import { renderTable } from '../../../../tools/cli-kit/table';

describe('table renderer', () => {
  it('aligns columns under a rule, numbers to the right', () => {
    const text = renderTable(
      [{ header: 'a' }, { header: 'n', right: true }],
      [
        ['xx', '1'],
        ['y', '100'],
      ],
    );
    expect(text.split('\n')).toEqual(['a  |   n', '---+----', 'xx |   1', 'y  | 100']);
  });

  it('counts characters, not bytes, and draws extra rules where asked', () => {
    const text = renderTable(
      [{ header: 'fleet' }, { header: 'cost', right: true }],
      [
        ['1×2 — a', '$1'],
        ['total', '$10'],
      ],
      { separator: '   ', ruleJoin: '   ', indent: '  ', rulesBefore: [1] },
    );
    expect(text.split('\n')).toEqual([
      '  fleet     cost',
      '  -------   ----',
      '  1×2 — a     $1',
      '  -------   ----',
      '  total      $10',
    ]);
  });
});
