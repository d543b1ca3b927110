/**
 * CloudWatch Logs filter patterns (pure), the forms people use with
 * FilterLogEvents and `aws logs tail --filter-pattern`: terms (all must
 * appear, case-sensitive), "quoted phrases", ?alternatives (any one),
 * -exclusions, and JSON patterns `{ $.field = value }` with =, !=, <, <=,
 * >, >=, * wildcards in string values, joined by && or ||.
 */

export type LogFilter = (message: string) => boolean;

function terms(pattern: string): string[] {
  return [...pattern.matchAll(/[?-]?"[^"]*"|\S+/g)].map((m) => m[0]);
}

function jsonValue(message: string, path: string): unknown {
  let v: unknown;
  try {
    v = JSON.parse(message);
  } catch {
    return undefined;
  }
  for (const key of path
    .replace(/^\$\.?/, '')
    .split('.')
    .filter(Boolean)) {
    const m = /^(\w+)(?:\[(\d+)\])?$/.exec(key);
    if (!m || v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[m[1]!];
    if (m[2] !== undefined) v = Array.isArray(v) ? v[Number(m[2])] : undefined;
  }
  return v;
}

function comparison(expr: string): LogFilter {
  const m = /^\s*(\$[\w.[\]]*)\s*(=|!=|<=|>=|<|>)\s*(.+?)\s*$/.exec(expr);
  if (!m) throw new Error(`Invalid filter pattern: ${expr}`);
  const [, path, op, raw] = m as unknown as [string, string, string, string];
  const text = raw.replace(/^"(.*)"$/, '$1');
  const numeric = /^-?\d+(\.\d+)?$/.test(raw);
  const wildcard = new RegExp(
    `^${text.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`,
  );
  return (message) => {
    const v = jsonValue(message, path);
    if (v === undefined) return false;
    if (numeric && op !== '=' && op !== '!=') {
      const n = Number(v);
      const want = Number(raw);
      return op === '<' ? n < want : op === '<=' ? n <= want : op === '>' ? n > want : n >= want;
    }
    const equal = numeric ? Number(v) === Number(raw) : wildcard.test(String(v));
    return op === '!=' ? !equal : equal;
  };
}

function jsonPattern(body: string): LogFilter {
  const or = body.split('||').map((part) => part.split('&&').map(comparison));
  return (message) => or.some((and) => and.every((f) => f(message)));
}

export function compileFilter(pattern: string | undefined): LogFilter {
  const p = (pattern ?? '').trim();
  if (p === '' || p === '""') return () => true;
  const json = /^\{(.*)\}$/s.exec(p);
  if (json) return jsonPattern(json[1]!);
  const words = terms(p);
  const unquote = (t: string) => t.replace(/^[?-]?"?/, '').replace(/"$/, '');
  const any = words.filter((w) => w.startsWith('?')).map(unquote);
  const not = words.filter((w) => w.startsWith('-') && w.length > 1).map(unquote);
  const all = words
    .filter((w) => !w.startsWith('?') && !(w.startsWith('-') && w.length > 1))
    .map(unquote);
  return (m) =>
    all.every((t) => m.includes(t)) &&
    not.every((t) => !m.includes(t)) &&
    (any.length === 0 || any.some((t) => m.includes(t)));
}
