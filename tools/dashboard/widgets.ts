/**
 * Pure parsing of a CloudWatch dashboard body (the JSON PutDashboard takes)
 * into widgets the page can draw. Handles the compact metrics-array form:
 *   [namespace, metricName, dimName, dimValue, ..., {options}]
 *   [".", "OtherMetric", ".", "."]      "." repeats the previous row's value at that position
 *   ["...", "otherDimValue"]            "..." repeats the previous row's leading values
 *   [{expression: "m1+m2", label, id}]  metric math
 * The queries for a parsed widget are in metric-queries.ts, the alignment of
 * their results in series-alignment.ts.
 */

export type WidgetView = 'timeSeries' | 'singleValue' | 'bar' | 'pie' | 'gauge';

export interface MetricSeriesSpec {
  kind: 'metric';
  id: string;
  namespace: string;
  metricName: string;
  dimensions: Array<{ Name: string; Value: string }>;
  stat: string;
  /** seconds */
  period: number;
  label: string;
  color?: string;
  yAxis: 'left' | 'right';
  visible: boolean;
}

export interface ExpressionSeriesSpec {
  kind: 'expression';
  id: string;
  expression: string;
  label: string;
  color?: string;
  yAxis: 'left' | 'right';
  visible: boolean;
  period: number;
}

export type SeriesSpec = MetricSeriesSpec | ExpressionSeriesSpec;

export interface AxisSpec {
  label?: string;
  min?: number;
  max?: number;
  showUnits?: boolean;
}

export interface HorizontalAnnotation {
  value: number;
  label?: string;
  color?: string;
}

interface Placed {
  index: number;
  x: number;
  y: number;
  width: number;
  height: number;
  title: string;
}

export interface MetricWidget extends Placed {
  type: 'metric';
  view: WidgetView;
  stacked: boolean;
  /** the widget's own period (seconds) */
  period: number;
  setPeriodToTimeRange: boolean;
  series: SeriesSpec[];
  yAxis: { left: AxisSpec; right: AxisSpec };
  legend: 'bottom' | 'right' | 'hidden';
  annotations: HorizontalAnnotation[];
}

export interface TextWidget extends Placed {
  type: 'text';
  markdown: string;
  transparent: boolean;
}

/** alarm, log, explorer, custom...: drawn as a labelled placeholder */
export interface OtherWidget extends Placed {
  type: 'other';
  widgetType: string;
  note: string;
}

export type Widget = MetricWidget | TextWidget | OtherWidget;

export interface ParsedDashboard {
  widgets: Widget[];
  /** "auto" (default) or "inherit" */
  periodOverride: 'auto' | 'inherit';
  /** e.g. "-PT3H" */
  start?: string;
}

export class DashboardBodyError extends Error {}

export const GRID_COLUMNS = 24;
const DEFAULT_WIDTH = 6;
const DEFAULT_HEIGHT = 6;
const DEFAULT_PERIOD = 300;
const DEFAULT_STAT = 'Average';

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) ? v : undefined;
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/**
 * Expand compact rows to full rows: every "." replaced by the previous row's
 * value at that position, a leading "..." by the previous row's leading
 * values (all but as many as follow it). Options objects are kept per row.
 */
export function expandMetricRows(
  rows: unknown[],
): Array<{ values: string[]; options: Record<string, unknown> }> {
  const out: Array<{ values: string[]; options: Record<string, unknown> }> = [];
  let previous: string[] = [];
  rows.forEach((row, i) => {
    if (!Array.isArray(row)) throw new DashboardBodyError(`metrics[${i}] is not an array`);
    const last = row[row.length - 1];
    const options = isObject(last) ? last : {};
    const raw = isObject(last) ? row.slice(0, -1) : row.slice();
    let values: string[];
    if (raw[0] === '...') {
      const rest = raw.slice(1).map(String);
      const keep = previous.length - rest.length;
      if (i === 0 || keep < 0)
        throw new DashboardBodyError(`metrics[${i}] uses "..." without enough values before it`);
      values = [...previous.slice(0, keep), ...rest];
    } else {
      values = raw.map((v, pos) => {
        if (v !== '.') return String(v);
        if (pos >= previous.length)
          throw new DashboardBodyError(
            `metrics[${i}] uses "." at position ${pos} with nothing above it`,
          );
        return previous[pos] as string;
      });
    }
    if (values.length > 0) previous = values;
    out.push({ values, options });
  });
  return out;
}

const validId = (id: unknown): id is string =>
  typeof id === 'string' && /^[a-z][a-zA-Z0-9_]*$/.test(id);

function parseSeries(
  props: Record<string, unknown>,
  widgetPeriod: number,
  widgetStat: string,
  where: string,
): SeriesSpec[] {
  const metrics = props.metrics;
  if (metrics === undefined) return [];
  if (!Array.isArray(metrics)) throw new DashboardBodyError(`${where}: "metrics" is not an array`);
  const rows = expandMetricRows(metrics);
  const used = new Set(rows.map((r) => r.options.id).filter(validId));
  let auto = 0;
  const nextId = () => {
    let id: string;
    do id = `m${++auto}`;
    while (used.has(id));
    used.add(id);
    return id;
  };
  const specs: SeriesSpec[] = rows.map(({ values, options }, i) => {
    const id = validId(options.id) ? options.id : nextId();
    const color = str(options.color);
    const yAxis = options.yAxis === 'right' ? 'right' : 'left';
    const visible = options.visible !== false;
    const period = num(options.period) ?? widgetPeriod;
    const expression = str(options.expression);
    if (expression !== undefined) {
      return {
        kind: 'expression',
        id,
        expression,
        label: str(options.label) ?? expression,
        color,
        yAxis,
        visible,
        period,
      };
    }
    if (values.length < 2 || values.length % 2 !== 0) {
      throw new DashboardBodyError(
        `${where}: metrics[${i}] must be [namespace, metricName, dimName, dimValue, ...]`,
      );
    }
    const dimensions: Array<{ Name: string; Value: string }> = [];
    for (let d = 2; d < values.length; d += 2)
      dimensions.push({ Name: values[d]!, Value: values[d + 1]! });
    return {
      kind: 'metric',
      id,
      namespace: values[0]!,
      metricName: values[1]!,
      dimensions,
      stat: str(options.stat) ?? widgetStat,
      period,
      label: str(options.label) ?? values[1]!,
      color,
      yAxis,
      visible,
    };
  });
  // Same default label twice (one metric, several dimension values): add the values.
  const counts = new Map<string, number>();
  for (const s of specs) counts.set(s.label, (counts.get(s.label) ?? 0) + 1);
  for (const s of specs) {
    if (
      s.kind === 'metric' &&
      (counts.get(s.label) ?? 0) > 1 &&
      s.dimensions.length > 0 &&
      s.label === s.metricName
    ) {
      s.label = `${s.metricName} ${s.dimensions.map((d) => d.Value).join(' ')}`;
    }
  }
  return specs;
}

function parseAxis(v: unknown): AxisSpec {
  if (!isObject(v)) return {};
  return {
    label: str(v.label),
    min: num(v.min),
    max: num(v.max),
    showUnits: typeof v.showUnits === 'boolean' ? v.showUnits : undefined,
  };
}

function parseAnnotations(v: unknown): HorizontalAnnotation[] {
  if (!isObject(v) || !Array.isArray(v.horizontal)) return [];
  const out: HorizontalAnnotation[] = [];
  for (const a of v.horizontal.filter(isObject)) {
    const value = num(a.value);
    if (value !== undefined) out.push({ value, label: str(a.label), color: str(a.color) });
  }
  return out;
}

const VIEWS: readonly WidgetView[] = ['timeSeries', 'singleValue', 'bar', 'pie', 'gauge'];

/** Parse a DashboardBody string (or object). Widgets without x/y flow left to right, as CloudWatch places them. */
export function parseDashboardBody(body: string | unknown): ParsedDashboard {
  let doc: unknown = body;
  if (typeof body === 'string') {
    try {
      doc = JSON.parse(body);
    } catch {
      throw new DashboardBodyError('the dashboard body is not valid JSON');
    }
  }
  if (!isObject(doc) || !Array.isArray(doc.widgets))
    throw new DashboardBodyError('the dashboard body has no "widgets" array');
  let cursorX = 0;
  let cursorY = 0;
  let rowHeight = 0;
  const widgets: Widget[] = doc.widgets.map((w: unknown, index: number): Widget => {
    const where = `widget ${index}`;
    if (!isObject(w)) throw new DashboardBodyError(`${where} is not an object`);
    const width = Math.min(GRID_COLUMNS, Math.max(1, num(w.width) ?? DEFAULT_WIDTH));
    const height = Math.max(1, num(w.height) ?? DEFAULT_HEIGHT);
    let x = num(w.x);
    let y = num(w.y);
    if (x === undefined || y === undefined) {
      if (cursorX + width > GRID_COLUMNS) {
        cursorX = 0;
        cursorY += rowHeight;
        rowHeight = 0;
      }
      x = cursorX;
      y = cursorY;
      cursorX += width;
      rowHeight = Math.max(rowHeight, height);
    }
    const props = isObject(w.properties) ? w.properties : {};
    const placed = { index, x, y, width, height, title: str(props.title) ?? '' };
    const type = str(w.type) ?? 'metric';
    if (type === 'text') {
      return {
        ...placed,
        type: 'text',
        markdown: str(props.markdown) ?? '',
        transparent: props.background === 'transparent',
      };
    }
    if (type === 'metric') {
      const period = num(props.period) ?? DEFAULT_PERIOD;
      const stat = str(props.stat) ?? DEFAULT_STAT;
      const view = VIEWS.includes(props.view as WidgetView)
        ? (props.view as WidgetView)
        : 'timeSeries';
      const axes = isObject(props.yAxis) ? props.yAxis : {};
      const legend = isObject(props.legend) ? str(props.legend.position) : undefined;
      return {
        ...placed,
        type: 'metric',
        view,
        stacked: props.stacked === true,
        period,
        setPeriodToTimeRange: props.setPeriodToTimeRange === true,
        series: parseSeries(props, period, stat, where),
        yAxis: { left: parseAxis(axes.left), right: parseAxis(axes.right) },
        legend: legend === 'right' || legend === 'hidden' ? legend : 'bottom',
        annotations: parseAnnotations(props.annotations),
      };
    }
    const note =
      type === 'alarm'
        ? `alarm status: ${Array.isArray(props.alarms) ? props.alarms.map((a) => String(a).split(':').pop()).join(', ') : ''}`
        : `${type} widgets are not drawn here; open this dashboard in the CloudWatch console`;
    return { ...placed, type: 'other', widgetType: type, note };
  });
  return {
    widgets,
    periodOverride: doc.periodOverride === 'inherit' ? 'inherit' : 'auto',
    start: str(doc.start),
  };
}
