/**
 * Deterministic generator of DESIGN.md events (pure: no AWS, no clock — the
 * caller passes "now"). A seeded Faker draws a stable user population and
 * every field, so the same seed and the same clock give the same records.
 *
 * Each record is one of:
 *  - valid:     event time = now − uniform(0, outOfOrderS) (out-of-order jitter);
 *  - late:      event time older than allowed lateness + 2 windows, so its
 *               window is closed by the time it arrives;
 *  - malformed: invalid JSON, a missing field, a wrong type, an out-of-range
 *               value or a far-future timestamp (a mix).
 * A few crash-prone users send many crash events with High/Critical severity,
 * so crash alerts (> 2 a window) really happen.
 */
import { base, en, Faker } from '@faker-js/faker';
import type { ActivityEvent, Severity } from '../functions/core/event';
import {
  ACTIVITIES,
  COURSES,
  CRASH_MESSAGES,
  NORMAL_MESSAGES,
  SEVERITY_WEIGHTS,
} from './event-catalogue';

export type RecordKind = 'valid' | 'late' | 'malformed';
export type MalformedKind =
  'invalid_json' | 'missing_field' | 'wrong_type' | 'out_of_range' | 'future_timestamp';
export const MALFORMED_KINDS: readonly MalformedKind[] = [
  'invalid_json',
  'missing_field',
  'wrong_type',
  'out_of_range',
  'future_timestamp',
];

export interface GeneratedRecord {
  partitionKey: string;
  /** the exact UTF-8 payload */
  data: string;
  kind: RecordKind;
  malformed?: MalformedKind;
}

export interface GeneratorOptions {
  seed: number;
  /** Size of the user population (stable names per seed). */
  users?: number;
  /** Crash-prone users among them. */
  crashProneUsers?: number;
  /** Share of events sent by crash-prone users. */
  crashProneShare?: number;
  /** Event time = now − uniform(0, outOfOrderS). */
  outOfOrderS?: number;
  lateFraction?: number;
  malformedFraction?: number;
  /** The pipeline's windowing, so that "late" is really late. */
  allowedLatenessMs: number;
  windowSizeMs: number;
  /** Far-future malformed timestamps are this far ahead (must exceed the pipeline's maxFutureSkewMs). */
  futureSkewMs?: number;
}

export interface User {
  id: string;
  name: string;
  crashProne: boolean;
}

/** The stable user population of a seed (the same for every producer of a run). */
export function userPopulation(seed: number, count: number, crashProne: number): User[] {
  const faker = new Faker({ locale: [en, base], seed });
  const ids = new Set<number>();
  const users: User[] = [];
  while (users.length < count) {
    const n = faker.number.int({ min: 1000, max: 99_999 });
    if (ids.has(n)) continue;
    ids.add(n);
    users.push({
      id: `user_${n}`,
      name: faker.person.fullName(),
      crashProne: users.length < crashProne,
    });
  }
  return users;
}

function weighted<T>(faker: Faker, items: ReadonlyArray<T & { weight: number }>): T {
  const total = items.reduce((s, i) => s + i.weight, 0);
  let r = faker.number.float({ min: 0, max: total });
  for (const item of items) {
    r -= item.weight;
    if (r <= 0) return item;
  }
  return items[items.length - 1]!;
}

/** Standard normal by Box-Muller from the seeded source. */
function gaussian(faker: Faker): number {
  const u = Math.max(faker.number.float({ min: 0, max: 1 }), 1e-12);
  const v = faker.number.float({ min: 0, max: 1 });
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

const round = (x: number, digits: number) => Number(x.toFixed(digits));
/** Event time as DESIGN.md has it: epoch seconds, float, millisecond precision. */
export const epochSeconds = (ms: number) => round(ms / 1000, 3);

export class EventGenerator {
  private readonly faker: Faker;
  private readonly users: User[];
  private readonly crashProne: User[];
  private readonly ordinary: User[];
  private readonly o: Required<GeneratorOptions>;

  constructor(opts: GeneratorOptions, users?: User[]) {
    this.o = {
      users: 3000,
      crashProneUsers: 5,
      crashProneShare: 0.01,
      outOfOrderS: 0,
      lateFraction: 0,
      malformedFraction: 0,
      futureSkewMs: 60 * 60_000,
      ...opts,
    };
    this.faker = new Faker({ locale: [en, base], seed: opts.seed });
    this.users = users ?? userPopulation(opts.seed, this.o.users, this.o.crashProneUsers);
    this.crashProne = this.users.filter((u) => u.crashProne);
    this.ordinary = this.users.filter((u) => !u.crashProne);
  }

  /** One record for the current clock `nowMs`. */
  next(nowMs: number): GeneratedRecord {
    const f = this.faker;
    const r = f.number.float({ min: 0, max: 1 });
    if (r < this.o.malformedFraction) return this.malformed(nowMs);
    const late = r < this.o.malformedFraction + this.o.lateFraction;
    const eventMs = late
      ? nowMs -
        this.o.allowedLatenessMs -
        2 * this.o.windowSizeMs -
        f.number.int({ min: 0, max: this.o.windowSizeMs })
      : nowMs - f.number.int({ min: 0, max: Math.round(this.o.outOfOrderS * 1000) });
    const event = this.event(eventMs);
    return {
      partitionKey: event.user_id,
      data: JSON.stringify(event),
      kind: late ? 'late' : 'valid',
    };
  }

  /** A well-formed event at event time `eventMs`. */
  event(eventMs: number): ActivityEvent {
    const f = this.faker;
    const crashy =
      this.crashProne.length > 0 && f.number.float({ min: 0, max: 1 }) < this.o.crashProneShare;
    const user = crashy
      ? f.helpers.arrayElement(this.crashProne)
      : f.helpers.arrayElement(this.ordinary);
    const activity = weighted(f, ACTIVITIES);
    const course = weighted(f, COURSES).code;
    const crash = crashy
      ? f.number.float({ min: 0, max: 1 }) < 0.6
      : f.number.float({ min: 0, max: 1 }) < 0.01;
    const severity: Severity = crash
      ? f.helpers.arrayElement(['High', 'High', 'Critical', 'Medium'] as const)
      : weighted(f, SEVERITY_WEIGHTS).value;
    const cpu = Math.min(100, Math.max(0, activity.cpuMean + activity.cpuSpread * gaussian(f)));
    const loc = Math.max(0, Math.round(activity.locMedian * Math.exp(0.9 * gaussian(f))));
    return {
      event_id: f.string.uuid(),
      timestamp: epochSeconds(eventMs),
      user_id: user.id,
      student_name: user.name,
      course,
      activity: activity.name,
      lines_of_code: loc,
      cpu_usage_pct: round(cpu, 1),
      severity,
      content: crash
        ? f.helpers.arrayElement(CRASH_MESSAGES)
        : f.helpers.arrayElement(NORMAL_MESSAGES),
    };
  }

  private malformed(nowMs: number): GeneratedRecord {
    const f = this.faker;
    const kind = f.helpers.arrayElement(MALFORMED_KINDS);
    const event = this.event(nowMs) as unknown as Record<string, unknown>;
    let data: string;
    switch (kind) {
      case 'invalid_json':
        data = JSON.stringify(event).slice(0, f.number.int({ min: 10, max: 60 }));
        break;
      case 'missing_field': {
        const field = f.helpers.arrayElement([
          'course',
          'user_id',
          'timestamp',
          'severity',
          'lines_of_code',
          'content',
        ]);
        delete event[field];
        data = JSON.stringify(event);
        break;
      }
      case 'wrong_type':
        if (f.datatype.boolean()) event.lines_of_code = String(event.lines_of_code);
        else event.cpu_usage_pct = { value: event.cpu_usage_pct };
        data = JSON.stringify(event);
        break;
      case 'out_of_range':
        if (f.datatype.boolean()) event.cpu_usage_pct = f.number.int({ min: 101, max: 400 });
        else event.lines_of_code = -f.number.int({ min: 1, max: 500 });
        data = JSON.stringify(event);
        break;
      case 'future_timestamp':
        event.timestamp = epochSeconds(nowMs + this.o.futureSkewMs);
        data = JSON.stringify(event);
        break;
    }
    return {
      partitionKey: String(event.user_id ?? `user_${f.number.int({ min: 1000, max: 99_999 })}`),
      data,
      kind: 'malformed',
      malformed: kind,
    };
  }
}
