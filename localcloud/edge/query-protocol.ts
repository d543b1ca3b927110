/**
 * The AWS query protocol (form-encoded requests, XML responses) as the AWS
 * CLI v1 speaks it for CloudWatch and SQS (pure). Requests are decoded into
 * the same nested shape the JSON protocol carries (`X.member.1.Y` and
 * `X.1.Y` become arrays), leaving scalar values as strings for the service
 * to coerce; responses are encoded from plain objects.
 */
import { randomUUID } from 'node:crypto';
import { xmlEscape } from './aws-errors';

type Node = Record<string, unknown> | unknown[];

export function decodeQueryForm(body: string): { action: string; params: Record<string, unknown> } {
  const form = new URLSearchParams(body);
  const params: Record<string, unknown> = {};
  let action = '';
  for (const [key, value] of form) {
    if (key === 'Action') {
      action = value;
      continue;
    }
    if (key === 'Version') continue;
    const segments = key.split('.');
    let node: Node = params;
    for (let i = 0; i < segments.length; i++) {
      let seg = segments[i]!;
      // `member.N` / `entry.N` wrap list items; a bare number is a flattened list index
      if ((seg === 'member' || seg === 'entry') && /^\d+$/.test(segments[i + 1] ?? ''))
        seg = segments[++i]!;
      const last = i === segments.length - 1;
      const nextIsIndex =
        !last &&
        (/^\d+$/.test(segments[i + 1]!) ||
          ((segments[i + 1] === 'member' || segments[i + 1] === 'entry') &&
            /^\d+$/.test(segments[i + 2] ?? '')));
      const slot: string | number =
        /^\d+$/.test(seg) && Array.isArray(node) ? Number(seg) - 1 : seg;
      const container = node as Record<string | number, unknown>;
      if (last) {
        container[slot] = value;
      } else {
        if (container[slot] === undefined || typeof container[slot] !== 'object')
          container[slot] = nextIsIndex ? [] : {};
        node = container[slot] as Node;
      }
    }
  }
  return { action, params: compactArrays(params) as Record<string, unknown> };
}

function compactArrays(v: unknown): unknown {
  if (Array.isArray(v)) return v.filter((x) => x !== undefined).map(compactArrays);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = compactArrays(x);
    return out;
  }
  return v;
}

export interface XmlOptions {
  /** Keys whose object value is a string map, encoded as <entry><key/><value/></entry>. */
  mapKeys?: ReadonlySet<string>;
}

/** Encodes a value as XML children; arrays as <member> items (the CloudWatch style). */
export function toXml(value: unknown, opts: XmlOptions = {}, key = ''): string {
  if (value === undefined || value === null) return '';
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((v) => `<member>${toXml(v, opts)}</member>`).join('');
  if (typeof value === 'object') {
    if (opts.mapKeys?.has(key)) {
      return Object.entries(value as Record<string, unknown>)
        .map(
          ([k, v]) => `<entry><key>${xmlEscape(k)}</key><value>${toXml(v, opts)}</value></entry>`,
        )
        .join('');
    }
    return Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined && v !== null)
      .map(([k, v]) => `<${k}>${toXml(v, opts, k)}</${k}>`)
      .join('');
  }
  return xmlEscape(String(value));
}

/** `<OpResponse><OpResult>…</OpResult><ResponseMetadata/></OpResponse>` */
export function queryResponse(
  action: string,
  xmlns: string,
  resultXml: string | undefined,
): string {
  const result = resultXml === undefined ? '' : `<${action}Result>${resultXml}</${action}Result>`;
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${xmlns}">${result}` +
    `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`
  );
}

/** Dates as epoch seconds, as the JSON protocols carry timestamps. */
export function datesToEpochSeconds(v: unknown): unknown {
  if (v instanceof Date) return v.getTime() / 1000;
  if (Array.isArray(v)) return v.map(datesToEpochSeconds);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = datesToEpochSeconds(x);
    return out;
  }
  return v;
}

/** A timestamp from either protocol: epoch seconds (JSON) or ISO-8601 / epoch seconds text (query). */
export function toDate(v: unknown): Date | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'number') return new Date(v * 1000);
  const s = String(v);
  if (/^\d+(\.\d+)?$/.test(s)) return new Date(Number(s) * 1000);
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

export function toNumber(v: unknown): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) ? n : undefined;
}

export function toBool(v: unknown): boolean | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  return v === true || v === 'true';
}

export function asArray<T = Record<string, unknown>>(v: unknown): T[] {
  return Array.isArray(v) ? (v as T[]) : [];
}
