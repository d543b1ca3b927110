/**
 * A small subset of CloudWatch metric math for GetMetricData (pure):
 * arithmetic (+ - * /, unary minus, parentheses) between series and
 * numbers, and SUM / AVG / MIN / MAX over `[a, b, ...]` or METRICS(),
 * FILL(series, number). Series are combined timestamp by timestamp; a
 * timestamp missing from one operand is dropped, as CloudWatch does.
 * Anything else is a clear error naming what is not supported.
 */

/** timestamp (ms) → value */
export type TimeSeries = Map<number, number>;
type Value = TimeSeries | number | TimeSeries[];

export class MetricMathError extends Error {}

type Token =
  { kind: 'num'; value: number } | { kind: 'id'; value: string } | { kind: 'op'; value: string };

function tokenize(expr: string): Token[] {
  const out: Token[] = [];
  const re = /\s*(?:(\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)|([A-Za-z_][A-Za-z0-9_]*)|([-+*/(),[\]]))/y;
  let pos = 0;
  while (pos < expr.length) {
    if (/^\s*$/.test(expr.slice(pos))) break;
    re.lastIndex = pos;
    const m = re.exec(expr);
    if (!m)
      throw new MetricMathError(`cannot read the expression "${expr}" at "${expr.slice(pos)}"`);
    if (m[1] !== undefined) out.push({ kind: 'num', value: Number(m[1]) });
    else if (m[2] !== undefined) out.push({ kind: 'id', value: m[2] });
    else out.push({ kind: 'op', value: m[3]! });
    pos = re.lastIndex;
  }
  return out;
}

const FUNCTIONS = new Set(['SUM', 'AVG', 'MIN', 'MAX', 'FILL', 'METRICS']);

/**
 * Evaluates `expr`; `resolve(id)` gives the series of another query id,
 * `all()` every MetricStat series (for METRICS()).
 */
export function evaluateMetricMath(
  expr: string,
  resolve: (id: string) => TimeSeries,
  all: () => TimeSeries[],
): TimeSeries {
  const parser = new Parser(expr, resolve, all);
  const result = parser.additive();
  parser.expectEnd();
  if (!(result instanceof Map))
    throw new MetricMathError(`the expression "${expr}" must give one time series`);
  return result;
}

/** A recursive-descent evaluator: additive → multiplicative → primary. */
class Parser {
  private readonly tokens: Token[];
  private i = 0;

  constructor(
    private readonly expr: string,
    private readonly resolve: (id: string) => TimeSeries,
    private readonly all: () => TimeSeries[],
  ) {
    this.tokens = tokenize(expr);
  }

  expectEnd(): void {
    if (this.i !== this.tokens.length)
      throw new MetricMathError(`unexpected "${this.tokens[this.i]!.value}" in "${this.expr}"`);
  }

  additive(): Value {
    let left = this.multiplicative();
    while (this.atOp('+') || this.atOp('-')) {
      const op = this.take().value;
      left = combine(left, this.multiplicative(), op === '+' ? (a, b) => a + b : (a, b) => a - b);
    }
    return left;
  }

  private multiplicative(): Value {
    let left = this.primary();
    while (this.atOp('*') || this.atOp('/')) {
      const op = this.take().value;
      left = combine(left, this.primary(), op === '*' ? (a, b) => a * b : (a, b) => a / b);
    }
    return left;
  }

  private primary(): Value {
    const t = this.take();
    if (t.kind === 'num') return t.value;
    if (t.kind === 'op' && t.value === '(') {
      const v = this.additive();
      this.take(')');
      return v;
    }
    if (t.kind === 'op' && t.value === '-') return combine(-1, this.primary(), (a, b) => a * b);
    if (t.kind === 'op' && t.value === '[') return this.seriesList();
    if (t.kind === 'id') return this.atOp('(') ? this.functionCall(t.value) : this.resolve(t.value);
    throw new MetricMathError(`unexpected "${t.value}" in "${this.expr}"`);
  }

  /** `[a, b, ...]` after its opening bracket. */
  private seriesList(): TimeSeries[] {
    const items: TimeSeries[] = [];
    while (!this.atOp(']')) {
      const v = this.additive();
      if (!(v instanceof Map))
        throw new MetricMathError(`only series may appear in [ ] in "${this.expr}"`);
      items.push(v);
      if (this.atOp(',')) this.take(',');
    }
    this.take(']');
    return items;
  }

  /** `NAME(args)`, the name already taken. */
  private functionCall(name: string): Value {
    const fn = name.toUpperCase();
    if (!FUNCTIONS.has(fn)) {
      throw new MetricMathError(
        `streamscale local cloud does not support the metric math function ${name}(); supported: ${[...FUNCTIONS].join(', ')}`,
      );
    }
    this.take('(');
    const args: Value[] = [];
    while (!this.atOp(')')) {
      args.push(fn === 'METRICS' ? (this.take(), 0) : this.additive());
      if (this.atOp(',')) this.take(',');
    }
    this.take(')');
    return this.call(fn, args);
  }

  private call(fn: string, args: Value[]): Value {
    if (fn === 'METRICS') return this.all();
    if (fn === 'FILL') {
      const [series, fill] = args;
      if (!(series instanceof Map) || typeof fill !== 'number')
        throw new MetricMathError('FILL needs (series, number)');
      return fillSeries(series, fill);
    }
    return aggregate(fn, args);
  }

  private atOp(op: string): boolean {
    const t = this.tokens[this.i];
    return t?.kind === 'op' && t.value === op;
  }

  private take(op?: string): Token {
    const t = this.tokens[this.i];
    if (!t || (op !== undefined && !(t.kind === 'op' && t.value === op))) {
      throw new MetricMathError(`expected "${op ?? 'a value'}" in "${this.expr}"`);
    }
    this.i++;
    return t;
  }
}

/** SUM / AVG / MIN / MAX across series, timestamp by timestamp. */
function aggregate(fn: string, args: Value[]): TimeSeries {
  const list = args.length === 1 && Array.isArray(args[0]) ? args[0] : args;
  const series = list.filter((v): v is TimeSeries => v instanceof Map);
  if (series.length === 0) throw new MetricMathError(`${fn} needs series`);
  const stamps = new Set<number>();
  for (const s of series) for (const t of s.keys()) stamps.add(t);
  const out: TimeSeries = new Map();
  for (const t of [...stamps].sort((a, b) => a - b)) {
    const vals = series.map((s) => s.get(t)).filter((v): v is number => v !== undefined);
    const sum = vals.reduce((a, b) => a + b, 0);
    out.set(
      t,
      fn === 'SUM'
        ? sum
        : fn === 'AVG'
          ? sum / vals.length
          : fn === 'MIN'
            ? Math.min(...vals)
            : Math.max(...vals),
    );
  }
  return out;
}

function fillSeries(s: TimeSeries, fill: number): TimeSeries {
  // without the period there are no gaps to know of; fill only non-finite values
  return new Map([...s].map(([t, v]) => [t, Number.isFinite(v) ? v : fill]));
}

function combine(a: Value, b: Value, f: (x: number, y: number) => number): Value {
  if (Array.isArray(a) || Array.isArray(b))
    throw new MetricMathError('arithmetic on [ ] lists is not supported');
  if (typeof a === 'number' && typeof b === 'number') return f(a, b);
  if (typeof a === 'number') return new Map([...(b as TimeSeries)].map(([t, v]) => [t, f(a, v)]));
  if (typeof b === 'number') return new Map([...a].map(([t, v]) => [t, f(v, b)]));
  const out: TimeSeries = new Map();
  for (const [t, v] of a) {
    const w = b.get(t);
    if (w !== undefined) out.set(t, f(v, w));
  }
  return out;
}
