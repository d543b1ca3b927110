/**
 * The one text-table renderer of the commands (query results, cost
 * reports, benchmark figures): aligned columns, a rule under the header,
 * optional rules before given rows. Widths count characters, not bytes, so
 * "×" or "—" in a cell keep the columns straight.
 */
export interface Column {
  header: string;
  /** Right-align (numbers). */
  right?: boolean;
}

export interface TableStyle {
  /** Between cells (default " | "). */
  separator?: string;
  /** Between the rule's dashes (default "-+-"). */
  ruleJoin?: string;
  /** Before every line (default none). */
  indent?: string;
  /** Row indexes to draw a rule before (e.g. before a total). */
  rulesBefore?: number[];
}

export const textWidth = (s: string): number => [...s].length;

const pad = (s: string, width: number, right: boolean): string => {
  const fill = ' '.repeat(Math.max(0, width - textWidth(s)));
  return right ? fill + s : s + fill;
};

export function renderTable(columns: Column[], rows: string[][], style: TableStyle = {}): string {
  const separator = style.separator ?? ' | ';
  const ruleJoin = style.ruleJoin ?? '-+-';
  const indent = style.indent ?? '';
  const widths = columns.map((c, i) =>
    Math.max(textWidth(c.header), ...rows.map((r) => textWidth(r[i] ?? ''))),
  );
  const line = (cells: string[]) =>
    indent +
    cells
      .map((text, i) => pad(text, widths[i]!, columns[i]!.right ?? false))
      .join(separator)
      .trimEnd();
  const rule = indent + widths.map((w) => '-'.repeat(w)).join(ruleJoin);
  const out = [line(columns.map((c) => c.header)), rule];
  rows.forEach((r, i) => {
    if (style.rulesBefore?.includes(i)) out.push(rule);
    out.push(line(columns.map((_, c) => r[c] ?? '')));
  });
  return out.join('\n');
}
