/**
 * Decoding and validation of one Kinesis record into a ValidEvent, at the
 * edge of the pipeline: everything after this works on typed events. A bad
 * record is never an exception: it comes back with a reason and a detail.
 *
 * Timestamps: a number below 1e11 is epoch seconds (1e11 s is the year 5138),
 * at or above it epoch milliseconds (1e11 ms is 1973), so both real ranges
 * are told apart without ambiguity; a string must be ISO-8601 with a date
 * and a time. An ISO string without an offset is read as UTC (JavaScript
 * would read it in the local time zone, so the same record would land in
 * different windows on a laptop and on Lambda).
 *
 * Strings must be well-formed Unicode: JSON can spell a lone surrogate
 * (`"\ud800"`), which is no text at all, and a store may refuse it; such a
 * record is rejected here rather than failing its batch's writes forever.
 *
 * Time checks compare the event time with a reference the caller passes; the
 * consumer passes the record's arrival time at the stream, so a retry a day
 * later decides exactly as the first attempt did.
 */
import type { RejectReason } from './table-layout';
import type { Severity, ValidEvent } from './event';

export type DecodeResult =
  { ok: true; event: ValidEvent } | { ok: false; reason: RejectReason; detail: string };

export interface SchemaLimits {
  maxFutureSkewMs: number;
}

/** Bounds that keep a record sane; beyond them it is rejected as out_of_range. */
export const FIELD_LIMITS = {
  maxStringLength: 512,
  maxContentLength: 4096,
  maxLinesOfCode: 1_000_000,
  minEpochMs: Date.UTC(2000, 0, 1),
} as const;

const SECONDS_MS_BOUNDARY = 1e11;
const ISO_8601 = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;
const HAS_OFFSET = /(Z|[+-]\d{2}:?\d{2})$/;
const SEVERITY_SET: ReadonlySet<string> = new Set<Severity>(['Low', 'Medium', 'High', 'Critical']);
const STRING_FIELDS = ['event_id', 'user_id', 'student_name', 'course', 'activity'] as const;

const decoder = new TextDecoder('utf-8', { fatal: true });

/** A lone surrogate (a well-formed pair is one code point in a `u` regex, so never matches). */
const LONE_SURROGATE = /\p{Cs}/u;
const LONE_SURROGATES = /\p{Cs}/gu;

/** Text safe to store: lone surrogates replaced, as a decoder would. */
export function wellFormed(s: string): string {
  return s.replace(LONE_SURROGATES, '\uFFFD');
}

type Rejected = Extract<DecodeResult, { ok: false }>;

function rejected(reason: RejectReason, detail: string): Rejected {
  // details quote the record; they are stored, so they must be text themselves
  return { ok: false, reason, detail: wellFormed(detail) };
}

/** Event time in epoch ms, or a reject. */
function eventTimeMs(ts: unknown): number | DecodeResult {
  if (typeof ts === 'number') {
    if (!Number.isFinite(ts) || ts <= 0)
      return rejected('bad_timestamp', `timestamp ${ts} is not a positive number`);
    return ts < SECONDS_MS_BOUNDARY ? ts * 1000 : ts;
  }
  if (typeof ts === 'string') {
    if (!ISO_8601.test(ts))
      return rejected('bad_timestamp', `timestamp "${ts.slice(0, 40)}" is not ISO-8601`);
    const ms = Date.parse(HAS_OFFSET.test(ts) ? ts : `${ts}Z`);
    if (Number.isNaN(ms))
      return rejected('bad_timestamp', `timestamp "${ts.slice(0, 40)}" is not a valid date`);
    return ms;
  }
  if (ts === undefined) return rejected('missing_field', 'timestamp is missing');
  return rejected(
    'wrong_type',
    `timestamp must be a number or an ISO-8601 string, got ${typeof ts}`,
  );
}

/** The name fields, content and severity: present, strings, in bounds, text. */
function checkStrings(o: Record<string, unknown>): Rejected | undefined {
  for (const f of STRING_FIELDS) {
    const s = o[f];
    if (s === undefined || s === null) return rejected('missing_field', `${f} is missing`);
    if (typeof s !== 'string')
      return rejected('wrong_type', `${f} must be a string, got ${typeof s}`);
    if (s.length === 0 || s.length > FIELD_LIMITS.maxStringLength)
      return rejected(
        'out_of_range',
        `${f} must have 1-${FIELD_LIMITS.maxStringLength} characters`,
      );
    if (LONE_SURROGATE.test(s))
      return rejected('invalid_text', `${f} holds a lone UTF-16 surrogate: not Unicode text`);
  }
  const content = o.content;
  if (content === undefined || content === null)
    return rejected('missing_field', 'content is missing');
  if (typeof content !== 'string')
    return rejected('wrong_type', `content must be a string, got ${typeof content}`);
  if (content.length > FIELD_LIMITS.maxContentLength)
    return rejected(
      'out_of_range',
      `content longer than ${FIELD_LIMITS.maxContentLength} characters`,
    );
  if (LONE_SURROGATE.test(content))
    return rejected('invalid_text', 'content holds a lone UTF-16 surrogate: not Unicode text');
  const severity = o.severity;
  if (severity === undefined || severity === null)
    return rejected('missing_field', 'severity is missing');
  if (typeof severity !== 'string')
    return rejected('wrong_type', `severity must be a string, got ${typeof severity}`);
  if (!SEVERITY_SET.has(severity))
    return rejected(
      'out_of_range',
      `severity "${severity.slice(0, 20)}" is not one of Low, Medium, High, Critical`,
    );
  return undefined;
}

/** lines_of_code and cpu_usage_pct: present, numbers, in bounds. */
function checkNumbers(o: Record<string, unknown>): Rejected | undefined {
  const loc = o.lines_of_code;
  if (loc === undefined || loc === null)
    return rejected('missing_field', 'lines_of_code is missing');
  if (typeof loc !== 'number')
    return rejected('wrong_type', `lines_of_code must be a number, got ${typeof loc}`);
  if (!Number.isInteger(loc) || loc < 0 || loc > FIELD_LIMITS.maxLinesOfCode)
    return rejected(
      'out_of_range',
      `lines_of_code ${loc} is not an integer in 0-${FIELD_LIMITS.maxLinesOfCode}`,
    );
  const cpu = o.cpu_usage_pct;
  if (cpu === undefined || cpu === null)
    return rejected('missing_field', 'cpu_usage_pct is missing');
  if (typeof cpu !== 'number')
    return rejected('wrong_type', `cpu_usage_pct must be a number, got ${typeof cpu}`);
  if (!(cpu >= 0 && cpu <= 100))
    return rejected('out_of_range', `cpu_usage_pct ${cpu} is not in 0-100`);
  return undefined;
}

/** Event time in epoch ms within [2000, reference + skew], or a reject. */
function checkTime(ts: unknown, nowMs: number, limits: SchemaLimits): number | DecodeResult {
  const t = eventTimeMs(ts);
  if (typeof t !== 'number') return t;
  if (t < FIELD_LIMITS.minEpochMs)
    return rejected('bad_timestamp', `timestamp ${String(ts)} is before 2000`);
  if (t > nowMs + limits.maxFutureSkewMs)
    return rejected(
      'future_timestamp',
      `timestamp is ${Math.round((t - nowMs) / 1000)} s in the future (limit ${limits.maxFutureSkewMs / 1000} s)`,
    );
  return t;
}

/**
 * Validates an already-parsed value. Separate from JSON decoding so the
 * producer and tests can check an object directly.
 */
export function validateEvent(v: unknown, nowMs: number, limits: SchemaLimits): DecodeResult {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    return rejected(
      'not_an_object',
      `expected a JSON object, got ${Array.isArray(v) ? 'an array' : typeof v}`,
    );
  }
  const o = v as Record<string, unknown>;
  const bad = checkStrings(o) ?? checkNumbers(o);
  if (bad) return bad;
  const t = checkTime(o.timestamp, nowMs, limits);
  if (typeof t !== 'number') return t;
  return {
    ok: true,
    event: {
      event_id: o.event_id as string,
      eventTimeMs: t,
      user_id: o.user_id as string,
      student_name: o.student_name as string,
      course: o.course as string,
      activity: o.activity as string,
      lines_of_code: o.lines_of_code as number,
      cpu_usage_pct: o.cpu_usage_pct as number,
      severity: o.severity as Severity,
      content: o.content as string,
    },
  };
}

/** Decodes one record's payload (bytes as Kinesis delivers them, or a string). */
export function decodeRecord(
  data: Uint8Array | string,
  nowMs: number,
  limits: SchemaLimits,
): DecodeResult {
  let text: string;
  if (typeof data === 'string') {
    text = data;
  } else {
    try {
      text = decoder.decode(data);
    } catch {
      return rejected('invalid_json', 'payload is not valid UTF-8');
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return rejected('invalid_json', err instanceof Error ? err.message.slice(0, 120) : 'not JSON');
  }
  return validateEvent(parsed, nowMs, limits);
}
