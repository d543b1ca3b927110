/**
 * The results reader and the query rows against dynalite, over items laid
 * out exactly as table-layout.ts says: finals through the byKind index
 * (paginated), provisional values of open windows merged from partials,
 * late partials (missing from a final's `included` list, or flagged LATE —
 * each reported once), rejects across hour buckets.
 */
import { PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoClient } from '../../../../functions/aws/clients';
import { applyCliDefaults } from '../../../../tools/cli-kit/aws-env';
import { resourceNames } from '../../../../functions/config';
import {
  createResultsReader,
  type ResultsReader,
} from '../../../../functions/store/results-reader';
import {
  BUCKET_FINAL_SK,
  FINAL_SK,
  GLOBAL_SK,
  GSI_FINAL,
  GSI_LATE,
  WATERMARK_PK,
  bucketOf,
  bucketPk,
  partialSk,
  progressPk,
  rejectPk,
  rejectSk,
  shardSk,
  windowPk,
} from '../../../../functions/core/table-layout';
import {
  aggregatesOf,
  toStoredGroups,
  type CourseAggregate,
} from '../../../../functions/core/partials';
import { parseQueryArgs } from '../../../../tools/query/args';
import { formatJson, formatTable } from '../../../../tools/query/format';
import { runQuery } from '../../../../tools/query/run-query';
import { createTables, startDynalite } from '../../../support/dynalite';

const PREFIX = 'readertest';
const names = resourceNames(PREFIX);
const SIZE = 10_000;
const T = Date.UTC(2026, 10, 23, 3, 0, 0); // on the hour: the range spans two reject buckets
const FROM = T - 400_000;
const TO = T + 40_000;

const course = (events: number, totalLoc: number, cpus: number[]): CourseAggregate => ({
  events,
  totalLoc,
  cpuSum: cpus.reduce((a, b) => a + b, 0),
  cpuMin: Math.min(...cpus),
  cpuMax: Math.max(...cpus),
});

/** Groups as a test writes them; stored as table-layout.ts lays them out. */
interface Groups {
  courses: Record<string, CourseAggregate>;
  crashes: Record<string, number>;
}
const stored = (g: Groups) => toStoredGroups(aggregatesOf(g));

let client: DynamoDBClient;
let stop: () => Promise<void>;
let reader: ResultsReader;

async function put(table: string, item: Record<string, unknown>): Promise<void> {
  await client.send(
    new PutItemCommand({ TableName: table, Item: marshall(item, { removeUndefinedValues: true }) }),
  );
}

let seq = 1000;
type Ref = { pk: string; sk: string };
async function partial(
  windowStart: number,
  shardId: string,
  agg: Groups,
  extra: Record<string, unknown> = {},
): Promise<Ref> {
  const first = String(seq++);
  const sk = partialSk(shardId, first);
  const pk = bucketPk(windowStart, bucketOf(shardId));
  const records = Object.values(agg.courses).reduce((n, c) => n + c.events, 0);
  await put(names.windowsTable, {
    pk,
    sk,
    windowStart,
    windowEnd: windowStart + SIZE,
    bucket: bucketOf(shardId),
    shardId,
    firstSequenceNumber: first,
    lastSequenceNumber: first,
    records,
    writtenAt: windowStart + SIZE + 5_000,
    firstArrivalMs: windowStart + 1_000,
    ...stored(agg),
    ...extra,
  });
  return { pk, sk };
}

/** A closed window: a bucket final per bucket of the merged partials, then the window's final. */
async function final(windowStart: number, agg: Groups, merged: Ref[]): Promise<void> {
  const buckets = [...new Set(merged.map((r) => r.pk))];
  for (const pk of buckets) {
    await put(names.windowsTable, {
      pk,
      sk: BUCKET_FINAL_SK,
      windowStart,
      windowEnd: windowStart + SIZE,
      included: merged.filter((r) => r.pk === pk).map((r) => r.sk),
    });
  }
  await put(names.windowsTable, {
    pk: windowPk(windowStart),
    sk: FINAL_SK,
    windowStart,
    windowEnd: windowStart + SIZE,
    records: Object.values(agg.courses).reduce((n, c) => n + c.events, 0),
    included: buckets,
    closedAt: windowStart + 75_000,
    watermark: windowStart + SIZE,
    gsiPk: GSI_FINAL,
    gsiSk: windowStart,
    ...stored(agg),
  });
}

beforeAll(async () => {
  applyCliDefaults(); // test credentials
  const dynalite = await startDynalite();
  stop = dynalite.stop;
  await createTables(dynalite.endpoint, PREFIX);
  client = dynamoClient({ endpoint: dynalite.endpoint, region: 'us-east-1' });
  reader = createResultsReader({ client, names, windowSizeMs: SIZE, pageSize: 4 });

  // W0 = T: closed; one partial merged, one raced the close (not in `included`) -> late.
  const w0a = await partial(T, 'shardId-0', {
    courses: { 'CS-1': course(2, 30, [20, 30]) },
    crashes: { user_1: 3 },
  });
  await partial(T, 'shardId-1', {
    courses: { 'CS-1': course(1, 5, [10]) },
    crashes: { user_1: 1 },
  });
  await final(T, { courses: { 'CS-1': course(2, 30, [20, 30]) }, crashes: { user_1: 3 } }, [w0a]);
  // W1 = T+10s: closed; its late partial is also flagged in the LATE index -> reported once.
  const w1a = await partial(T + SIZE, 'shardId-0', {
    courses: { 'CS-2': course(1, 7, [50]) },
    crashes: { user_2: 1 },
  });
  await partial(
    T + SIZE,
    'shardId-1',
    { courses: { 'CS-2': course(1, 3, [40]) }, crashes: {} },
    { gsiPk: GSI_LATE, gsiSk: T + SIZE },
  );
  await final(T + SIZE, { courses: { 'CS-2': course(1, 7, [50]) }, crashes: { user_2: 1 } }, [w1a]);
  // 30 older closed windows, to page through the index 4 items at a time.
  for (let i = 1; i <= 30; i++) {
    const start = T - i * SIZE;
    const ref = await partial(start, 'shardId-0', {
      courses: { 'CS-9': course(1, 1, [1]) },
      crashes: {},
    });
    await final(start, { courses: { 'CS-9': course(1, 1, [1]) }, crashes: {} }, [ref]);
  }
  // A final outside the range.
  await final(T - 1_000_000, { courses: { 'CS-0': course(1, 1, [1]) }, crashes: {} }, []);
  // Watermark: everything up to T+20s closed; shards saw events up to T+35s.
  await put(names.controlTable, {
    pk: WATERMARK_PK,
    sk: GLOBAL_SK,
    watermark: T + 20_000,
    closedThrough: T + 2 * SIZE,
    updatedAt: T + 80_000,
  });
  for (const shardId of ['shardId-0', 'shardId-1']) {
    await put(names.controlTable, {
      pk: progressPk(bucketOf(shardId)),
      sk: shardSk(shardId),
      shardId,
      maxEventTime: T + 35_000,
      minEventTime: T - 31 * SIZE,
      lastSequenceNumber: '1',
      lastSeenAt: T + 80_000,
      lastIteratorAgeMs: 0,
      // windows each shard wrote partials for; T+10s is closed (a stale entry the closer prunes)
      openWindows: new Set(
        shardId === 'shardId-0' ? [T + SIZE, T + 2 * SIZE, T + 3 * SIZE] : [T + 2 * SIZE],
      ),
    });
  }
  // W2 = T+20s and W3 = T+30s: open, values from partials.
  await partial(T + 2 * SIZE, 'shardId-0', {
    courses: { 'CS-1': course(1, 10, [90]) },
    crashes: { user_3: 2 },
  });
  await partial(T + 2 * SIZE, 'shardId-1', {
    courses: { 'CS-1': course(2, 20, [10, 20]) },
    crashes: { user_3: 2 },
  });
  await partial(T + 3 * SIZE, 'shardId-0', { courses: { 'CS-3': course(1, 4, [4]) }, crashes: {} });
  // Rejects in two hour buckets, and one before the range.
  for (const [arrivalMs, reason, sequenceNumber] of [
    [T - 100_000, 'invalid_json', '11'],
    [T + 1_000, 'missing_field', '12'],
    [T - 5_000_000, 'wrong_type', '13'],
  ] as const) {
    await put(names.rejectsTable, {
      pk: rejectPk(arrivalMs, bucketOf('shardId-0')),
      sk: rejectSk('shardId-0', sequenceNumber),
      shardId: 'shardId-0',
      sequenceNumber,
      partitionKey: 'user_1',
      arrivalMs,
      reason,
      detail: `detail ${sequenceNumber}`,
      raw: '{"event_id": oops',
      truncated: false,
    });
  }
});

afterAll(async () => {
  client?.destroy();
  await stop?.();
});

describe('results reader', () => {
  it('reads finals overlapping the range through the byKind index, across pages', async () => {
    const finals = await reader.finals(FROM, TO);
    expect(finals.map((w) => w.windowStart)).toEqual([
      ...Array.from({ length: 30 }, (_, i) => T - (30 - i) * SIZE),
      T,
      T + SIZE,
    ]);
    expect(finals.every((w) => w.final)).toBe(true);
    expect(finals.at(-2)).toMatchObject({
      windowEnd: T + SIZE,
      records: 2,
      aggregates: { crashes: new Map([['user_1', 3]]) },
    });
  });

  it('merges the partials of open windows above the close cursor into provisional values', async () => {
    const open = await reader.provisional(FROM, TO);
    expect(open.map((w) => [w.windowStart, w.final, w.records])).toEqual([
      [T + 2 * SIZE, false, 3],
      [T + 3 * SIZE, false, 1],
    ]);
    expect(open[0]!.aggregates.crashes).toEqual(new Map([['user_3', 4]]));
    expect(open[0]!.aggregates.courses.get('CS-1')).toMatchObject({
      events: 3,
      totalLoc: 30,
      cpuMin: 10,
      cpuMax: 90,
    });
    const all = await reader.windows(FROM, TO);
    expect(all.filter((w) => !w.final).map((w) => w.windowStart)).toEqual([
      T + 2 * SIZE,
      T + 3 * SIZE,
    ]);
    expect((await reader.windows(FROM, TO, { finalOnly: true })).some((w) => !w.final)).toBe(false);
  });

  it('finds late partials by the included list and the LATE index, each once', async () => {
    const late = await reader.late(FROM, TO);
    expect(late.map((p) => [p.windowStart, p.shardId, p.records])).toEqual([
      [T, 'shardId-1', 1],
      [T + SIZE, 'shardId-1', 1],
    ]);
  });

  it('reads rejects from every hour bucket the range covers', async () => {
    const rejects = await reader.rejects(FROM, TO);
    expect(rejects.map((r) => [r.arrivalMs, r.reason])).toEqual([
      [T - 100_000, 'invalid_json'],
      [T + 1_000, 'missing_field'],
    ]);
  });
});

describe('query rows from the reader', () => {
  const opts = (argv: string[]) => {
    const a = parseQueryArgs(
      [...argv, '--from', new Date(FROM).toISOString(), '--to', new Date(TO).toISOString()],
      TO,
    );
    if (a.help) throw new Error('unexpected help');
    return a;
  };
  const ctx = { crashAlertThreshold: 2 };

  it('crash-alerts: only crash_count > 2 unless --all; open windows provisional', async () => {
    const rows = await runQuery(reader, opts(['crash-alerts']), ctx);
    expect(
      rows.map(
        (r) => r.query === 'crash-alerts' && [r.windowStart, r.group, r.crash_count, r.final],
      ),
    ).toEqual([
      [T, 'user_1', 3, true],
      [T + 2 * SIZE, 'user_3', 4, false],
    ]);
    const all = await runQuery(reader, opts(['crash-alerts', '--all']), ctx);
    expect(all.map((r) => r.query === 'crash-alerts' && r.group)).toEqual([
      'user_1',
      'user_2',
      'user_3',
    ]);
    const finalOnly = await runQuery(reader, opts(['crash-alerts', '--final-only']), ctx);
    expect(finalOnly.map((r) => r.query === 'crash-alerts' && r.group)).toEqual(['user_1']);
    const table = formatTable('crash-alerts', rows, {
      allowedLatenessMs: 60_000,
      crashAlertThreshold: 2,
    });
    expect(table).toContain('2026-11-23 03:00:20 – 03:00:30 * | user_3  |           4');
  });

  it('course-activity: averages from sums, JSON with ISO times', async () => {
    const rows = await runQuery(reader, opts(['course-activity']), ctx);
    const w2 = rows.find((r) => r.query === 'course-activity' && r.windowStart === T + 2 * SIZE);
    expect(w2).toMatchObject({
      group: 'CS-1',
      events: 3,
      total_loc: 30,
      avg_cpu: 40,
      max_cpu: 90,
      final: false,
    });
    const json = JSON.parse(formatJson(rows)) as Array<Record<string, unknown>>;
    expect(json).toHaveLength(34);
    expect(json.find((r) => r.windowStart === '2026-11-23T03:00:00.000Z')).toEqual({
      query: 'course-activity',
      windowStart: '2026-11-23T03:00:00.000Z',
      windowEnd: '2026-11-23T03:00:10.000Z',
      group: 'CS-1',
      final: true,
      events: 2,
      total_loc: 30,
      avg_cpu: 25,
      max_cpu: 30,
    });
  });

  it('late: one row per query and group a late partial contributes to', async () => {
    const rows = await runQuery(reader, opts(['late']), ctx);
    expect(
      rows.map((r) => r.query === 'late' && [r.windowStart, r.forQuery, r.group, r.values]),
    ).toEqual([
      [T, 'course-activity', 'CS-1', { events: 1, total_loc: 5, avg_cpu: 10, max_cpu: 10 }],
      [T, 'crash-alerts', 'user_1', { crash_count: 1 }],
      [T + SIZE, 'course-activity', 'CS-2', { events: 1, total_loc: 3, avg_cpu: 40, max_cpu: 40 }],
    ]);
  });

  it('rejects: reason, shard, sequence and raw payload', async () => {
    const rows = await runQuery(reader, opts(['rejects']), ctx);
    expect(rows).toEqual([
      expect.objectContaining({
        query: 'rejects',
        arrivedAt: T - 100_000,
        reason: 'invalid_json',
        shardId: 'shardId-0',
        sequenceNumber: '11',
        raw: '{"event_id": oops',
      }),
      expect.objectContaining({
        arrivedAt: T + 1_000,
        reason: 'missing_field',
        sequenceNumber: '12',
      }),
    ]);
  });
});
