/**
 * AWS's event filter-pattern grammar (Lambda event filtering, the
 * EventBridge dialect), compiled once and matched against a record (pure).
 *
 * A pattern is a JSON object whose keys name fields of the record: an object
 * value descends into the field, an array value is a leaf — the field's
 * value (or any element of an array value) must equal one of the listed
 * strings, numbers, booleans or null, or satisfy one of the listed
 * operators: prefix, suffix, equals-ignore-case, wildcard, numeric ranges,
 * exists, anything-but (values, prefix, suffix or equals-ignore-case).
 * "$or" lists alternative patterns at one level. All keys must match (AND).
 */
export class FilterPatternError extends Error {}

type Value = unknown;
type Leaf = (value: Value, present: boolean) => boolean;
export type CompiledPattern = (record: Value) => boolean;

const NUMERIC_OPS: Record<string, (a: number, b: number) => boolean> = {
  '=': (a, b) => a === b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
};

const isObject = (v: Value): v is Record<string, Value> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function fail(message: string): never {
  throw new FilterPatternError(message);
}

function stringArg(op: string, arg: Value): string {
  if (typeof arg !== 'string') fail(`"${op}" takes a string (got ${JSON.stringify(arg)})`);
  return arg;
}

function wildcard(glob: string): (s: string) => boolean {
  if (glob.includes('**')) fail('"wildcard" may not contain consecutive "*"');
  const source = glob
    .split(/(?<!\\)\*/)
    .map((part) => part.replace(/\\\*/g, '*').replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  const re = new RegExp(`^${source}$`, 's');
  return (s) => re.test(s);
}

function numeric(args: Value): (n: number) => boolean {
  if (!Array.isArray(args) || args.length === 0 || args.length % 2 !== 0 || args.length > 4)
    fail('"numeric" takes one or two [operator, number] pairs, e.g. [">", 0, "<=", 5]');
  const checks: Array<(n: number) => boolean> = [];
  for (let i = 0; i < args.length; i += 2) {
    const op = NUMERIC_OPS[String(args[i])];
    const bound = args[i + 1];
    if (!op || typeof bound !== 'number')
      fail(
        `"numeric": ${JSON.stringify(args[i])} ${JSON.stringify(bound)} is not an operator and a number`,
      );
    checks.push((n) => op(n, bound));
  }
  return (n) => checks.every((c) => c(n));
}

/** A string test from { prefix | suffix | equals-ignore-case | wildcard }. */
function stringTest(op: string, arg: Value): ((s: string) => boolean) | undefined {
  switch (op) {
    case 'prefix':
      return (
        (p) => (s: string) =>
          s.startsWith(p)
      )(stringArg(op, arg));
    case 'suffix':
      return (
        (p) => (s: string) =>
          s.endsWith(p)
      )(stringArg(op, arg));
    case 'equals-ignore-case':
      return (
        (p) => (s: string) =>
          s.toLowerCase() === p
      )(stringArg(op, arg).toLowerCase());
    case 'wildcard':
      return wildcard(stringArg(op, arg));
    default:
      return undefined;
  }
}

function anythingBut(arg: Value): (v: Value) => boolean {
  if (isObject(arg)) {
    const [op, inner] = single(arg, 'anything-but');
    const values = op === 'equals-ignore-case' && Array.isArray(inner) ? inner : [inner];
    const tests = values.map(
      (x) => stringTest(op, x) ?? fail(`"anything-but" does not take "${op}"`),
    );
    return (v) => typeof v === 'string' && !tests.some((t) => t(v));
  }
  const excluded = Array.isArray(arg) ? arg : [arg];
  for (const x of excluded)
    if (typeof x !== 'string' && typeof x !== 'number')
      fail('"anything-but" takes strings or numbers, or one of prefix, suffix, equals-ignore-case');
  return (v) => !excluded.some((x) => x === v);
}

function single(o: Record<string, Value>, where: string): [string, Value] {
  const keys = Object.keys(o);
  if (keys.length !== 1)
    fail(`a ${where} matcher has exactly one operator (got ${keys.join(', ') || 'none'})`);
  return [keys[0]!, o[keys[0]!]];
}

function operator(o: Record<string, Value>): Leaf {
  const [op, arg] = single(o, 'filter');
  const test = stringTest(op, arg);
  if (test) return (v) => typeof v === 'string' && test(v);
  switch (op) {
    case 'numeric': {
      const inRange = numeric(arg);
      return (v) => typeof v === 'number' && inRange(v);
    }
    case 'exists':
      if (typeof arg !== 'boolean') fail('"exists" takes true or false');
      return (_v, present) => present === arg;
    case 'anything-but': {
      const ok = anythingBut(arg);
      return (v, present) => present && ok(v);
    }
    default:
      return fail(`unknown filter operator "${op}"`);
  }
}

function leaf(values: Value[]): Leaf {
  if (values.length === 0) fail('a field pattern lists at least one value');
  const matchers: Leaf[] = values.map((x) => {
    if (isObject(x)) return operator(x);
    if (Array.isArray(x)) fail('a field pattern lists values, not arrays');
    return (v, present) => present && v === x;
  });
  return (v, present) => {
    // An array field matches when any of its elements does.
    if (present && Array.isArray(v)) return v.some((e) => matchers.some((m) => m(e, true)));
    return matchers.some((m) => m(v, present));
  };
}

function compileObject(pattern: Record<string, Value>): CompiledPattern {
  const parts: CompiledPattern[] = Object.entries(pattern).map(([key, sub]) => {
    if (key === '$or') {
      if (!Array.isArray(sub) || sub.length < 2) fail('"$or" lists at least two patterns');
      const alternatives = sub.map((p) =>
        isObject(p) ? compileObject(p) : fail('"$or" lists objects'),
      );
      return (record) => alternatives.some((a) => a(record));
    }
    if (Array.isArray(sub)) {
      const m = leaf(sub);
      return (record) => {
        const present = isObject(record) && record[key] !== undefined;
        return m(present ? (record as Record<string, Value>)[key] : undefined, present);
      };
    }
    if (isObject(sub)) {
      const inner = compileObject(sub);
      return (record) => {
        const v = isObject(record) ? record[key] : undefined;
        if (Array.isArray(v)) return v.some((e) => inner(e));
        return inner(isObject(v) ? v : {});
      };
    }
    return fail(
      `the pattern for "${key}" must be an object or an array of values (got ${JSON.stringify(sub)})`,
    );
  });
  return (record) => parts.every((p) => p(record));
}

/** Parses and compiles one Pattern string; FilterPatternError names what is wrong. */
export function compilePattern(text: string): CompiledPattern {
  let parsed: Value;
  try {
    parsed = JSON.parse(text);
  } catch {
    fail('the pattern is not valid JSON');
  }
  if (!isObject(parsed) || Object.keys(parsed).length === 0)
    fail('the pattern must be a non-empty JSON object');
  return compileObject(parsed);
}
