/**
 * Reads results back out of the table layout (functions/core/table-layout.ts)
 * for the query tool, the demo and tests:
 *  - finals of closed windows in a time range (the byKind GSI, gsiPk = FINAL);
 *  - provisional values of windows still open (above the close cursor in
 *    WM/GLOBAL), merged from the partials of the buckets that reported them;
 *  - late partials (flagged into the LATE index, or present in a closed
 *    window's bucket but not counted by its bucket final and final);
 *  - rejected records (hour buckets of the rejects table, every shard bucket).
 * Every Query follows LastEvaluatedKey. Ranges select windows overlapping
 * [fromMs, toMs) and rejects that arrived in it.
 */
import {
  GetItemCommand,
  QueryCommand,
  type DynamoDBClient,
  type QueryCommandInput,
} from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { ResourceNames } from '../config';
import {
  aggregatesOf,
  emptyAggregates,
  mergeAggregates,
  type WindowAggregates,
} from '../core/partials';
import { latePartials } from '../core/closing';
import {
  ALL_BUCKETS,
  BUCKET_FINAL_SK,
  FINAL_SK,
  GLOBAL_SK,
  GSI_FINAL,
  GSI_LATE,
  REJECT_BUCKET_MS,
  SHARD_SK_PREFIX,
  WATERMARK_PK,
  WINDOWS_INDEX,
  bucketOf,
  bucketPk,
  isPartialSk,
  progressPk,
  rejectPk,
  windowPk,
  type FinalItem,
  type GlobalWatermarkItem,
  type PartialItem,
  type RejectItem,
  type ShardProgressItem,
} from '../core/table-layout';

export interface WindowResult {
  windowStart: number;
  windowEnd: number;
  /** true: the closed window's final item; false: merged partials of an open window */
  final: boolean;
  records: number;
  aggregates: WindowAggregates;
}

export interface LatePartial {
  windowStart: number;
  windowEnd: number;
  sk: string;
  shardId: string;
  firstSequenceNumber: string;
  writtenAt: number;
  records: number;
  aggregates: WindowAggregates;
}

export interface ResultsReaderOptions {
  client: DynamoDBClient;
  names: Pick<ResourceNames, 'windowsTable' | 'controlTable' | 'rejectsTable'>;
  windowSizeMs: number;
  /** Window partitions read at once when collecting provisional values or late partials. */
  concurrency?: number;
  /** Items per Query page (DynamoDB's Limit); default: DynamoDB's 1 MB pages. */
  pageSize?: number;
}

export interface ResultsReader {
  finals(fromMs: number, toMs: number): Promise<WindowResult[]>;
  provisional(fromMs: number, toMs: number): Promise<WindowResult[]>;
  /** finals, plus provisional values of open windows unless finalOnly; sorted by window start */
  windows(fromMs: number, toMs: number, opts?: { finalOnly?: boolean }): Promise<WindowResult[]>;
  late(fromMs: number, toMs: number): Promise<LatePartial[]>;
  rejects(fromMs: number, toMs: number): Promise<RejectItem[]>;
}

type Row = Record<string, unknown>;

/** `included` may be stored as a list or a string set. */
const includedOf = (item: Pick<FinalItem, 'included'>): string[] =>
  Array.from((item.included ?? []) as Iterable<string>);

async function mapLimit<T, R>(
  items: T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  });
  await Promise.all(lanes);
  return out;
}

const overlaps = (start: number, end: number, fromMs: number, toMs: number) =>
  end > fromMs && start < toMs;

const finalResult = (f: FinalItem): WindowResult => ({
  windowStart: f.windowStart,
  windowEnd: f.windowEnd,
  final: true,
  records: f.records ?? 0,
  aggregates: aggregatesOf(f),
});

const lateResult = (p: PartialItem): LatePartial => ({
  windowStart: p.windowStart,
  windowEnd: p.windowEnd,
  sk: p.sk,
  shardId: p.shardId,
  firstSequenceNumber: p.firstSequenceNumber,
  writtenAt: p.writtenAt,
  records: p.records ?? 0,
  aggregates: aggregatesOf(p),
});

/** The provisional value of an open window from its buckets' partitions. */
function provisionalResult(start: number, items: Row[], windowSizeMs: number) {
  const partials = items.filter((r) => isPartialSk(String(r.sk))) as unknown as PartialItem[];
  if (partials.length === 0) return undefined;
  let agg = emptyAggregates();
  for (const p of partials) agg = mergeAggregates(agg, aggregatesOf(p));
  return {
    windowStart: start,
    windowEnd: partials[0]!.windowEnd ?? start + windowSizeMs,
    final: false,
    records: partials.reduce((n, p) => n + (p.records ?? 0), 0),
    aggregates: agg,
  };
}

class TableResultsReader implements ResultsReader {
  private readonly concurrency: number;

  constructor(private readonly opts: ResultsReaderOptions) {
    this.concurrency = opts.concurrency ?? 8;
  }

  private get size(): number {
    return this.opts.windowSizeMs;
  }

  private async queryAll(input: QueryCommandInput): Promise<Row[]> {
    const rows: Row[] = [];
    let startKey: QueryCommandInput['ExclusiveStartKey'];
    do {
      const page = await this.opts.client.send(
        new QueryCommand({
          ...input,
          ExclusiveStartKey: startKey,
          ...(this.opts.pageSize ? { Limit: this.opts.pageSize } : {}),
        }),
      );
      for (const item of page.Items ?? []) rows.push(unmarshall(item));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return rows;
  }

  private async getItem(table: string, pk: string, sk: string): Promise<Row | undefined> {
    const out = await this.opts.client.send(
      new GetItemCommand({
        TableName: table,
        Key: { pk: { S: pk }, sk: { S: sk } },
        ConsistentRead: true,
      }),
    );
    return out.Item ? unmarshall(out.Item) : undefined;
  }

  /** Items of one GSI kind whose gsiSk (window start) lies in [lo, hi]; full items even if the index projects keys only. */
  private async byKind(kind: string, lo: number, hi: number, needs: string): Promise<Row[]> {
    const table = this.opts.names.windowsTable;
    const rows = await this.queryAll({
      TableName: table,
      IndexName: WINDOWS_INDEX,
      KeyConditionExpression: 'gsiPk = :k AND gsiSk BETWEEN :lo AND :hi',
      ExpressionAttributeValues: {
        ':k': { S: kind },
        ':lo': { N: String(lo) },
        ':hi': { N: String(hi) },
      },
    });
    return mapLimit(rows, this.concurrency, async (r) =>
      needs in r ? r : ((await this.getItem(table, String(r.pk), String(r.sk))) ?? r),
    );
  }

  private async finalItems(fromMs: number, toMs: number): Promise<FinalItem[]> {
    // gsiSk of a final is its window start; a window overlapping the range starts after fromMs - size.
    const rows = (await this.byKind(
      GSI_FINAL,
      fromMs - this.size + 1,
      toMs - 1,
      'included',
    )) as unknown as FinalItem[];
    return rows.filter(
      (f) => f.sk === FINAL_SK && overlaps(f.windowStart, f.windowEnd, fromMs, toMs),
    );
  }

  private bucketPartition(windowStart: number, bucket: number): Promise<Row[]> {
    return this.queryAll({
      TableName: this.opts.names.windowsTable,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': { S: bucketPk(windowStart, bucket) } },
      ConsistentRead: true,
    });
  }

  /** Items of the given buckets of a window, read a few partitions at once. */
  private async windowBuckets(windowStart: number, buckets: readonly number[]): Promise<Row[]> {
    const parts = await mapLimit([...buckets], this.concurrency, (b) =>
      this.bucketPartition(windowStart, b),
    );
    return parts.flat();
  }

  /**
   * Open windows, each with the buckets that hold its on-time partials: the
   * windows some shard wrote partials for that the cursor has not passed.
   */
  private async openWindows(fromMs: number, toMs: number): Promise<Map<number, Set<number>>> {
    const control = this.opts.names.controlTable;
    const [global, ...progress] = await Promise.all([
      this.getItem(control, WATERMARK_PK, GLOBAL_SK),
      ...ALL_BUCKETS.map((b) =>
        this.queryAll({
          TableName: control,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :shard)',
          ExpressionAttributeValues: {
            ':pk': { S: progressPk(b) },
            ':shard': { S: SHARD_SK_PREFIX },
          },
          ConsistentRead: true,
        }),
      ),
    ]);
    const closedThrough = (global as GlobalWatermarkItem | undefined)?.closedThrough;
    const open = new Map<number, Set<number>>();
    for (const shard of progress.flat() as unknown as ShardProgressItem[]) {
      for (const s of shard.openWindows ?? []) {
        if (closedThrough !== undefined && s + this.size <= closedThrough) continue;
        if (!overlaps(s, s + this.size, fromMs, toMs)) continue;
        if (!open.has(s)) open.set(s, new Set());
        open.get(s)?.add(bucketOf(shard.shardId));
      }
    }
    return open;
  }

  async finals(fromMs: number, toMs: number): Promise<WindowResult[]> {
    return (await this.finalItems(fromMs, toMs))
      .map(finalResult)
      .sort((a, b) => a.windowStart - b.windowStart);
  }

  async provisional(fromMs: number, toMs: number): Promise<WindowResult[]> {
    const open = [...(await this.openWindows(fromMs, toMs))].sort(([a], [b]) => a - b);
    const results = await mapLimit(open, this.concurrency, async ([start, buckets]) => {
      const final = await this.getItem(this.opts.names.windowsTable, windowPk(start), FINAL_SK);
      if (final) return finalResult(final as unknown as FinalItem); // it closed meanwhile
      return provisionalResult(start, await this.windowBuckets(start, [...buckets]), this.size);
    });
    return results.filter(
      (r): r is WindowResult =>
        r !== undefined && overlaps(r.windowStart, r.windowEnd, fromMs, toMs),
    );
  }

  async windows(
    fromMs: number,
    toMs: number,
    o: { finalOnly?: boolean } = {},
  ): Promise<WindowResult[]> {
    const finals = await this.finals(fromMs, toMs);
    if (o.finalOnly) return finals;
    const byStart = new Map<number, WindowResult>();
    for (const w of await this.provisional(fromMs, toMs)) byStart.set(w.windowStart, w);
    for (const w of finals) byStart.set(w.windowStart, w); // a final wins over a provisional read of the same window
    return [...byStart.values()].sort((a, b) => a.windowStart - b.windowStart);
  }

  async late(fromMs: number, toMs: number): Promise<LatePartial[]> {
    const found = new Map<string, PartialItem>();
    const flagged = (await this.byKind(
      GSI_LATE,
      fromMs - this.size + 1,
      toMs - 1,
      'courses',
    )) as unknown as PartialItem[];
    for (const p of flagged) if (isPartialSk(p.sk)) found.set(`${p.pk}|${p.sk}`, p);
    // Partials that raced the close: in a bucket of the window, not counted by its finals.
    const finals = await this.finalItems(fromMs, toMs);
    await mapLimit(finals, this.concurrency, async (f) => {
      const included = { included: includedOf(f) };
      const rows = await this.windowBuckets(f.windowStart, ALL_BUCKETS);
      const bucketFinals = new Map(
        rows
          .filter((r) => r.sk === BUCKET_FINAL_SK)
          .map((r) => [String(r.pk), { included: includedOf(r as unknown as FinalItem) }]),
      );
      const partials = rows.filter((r) => isPartialSk(String(r.sk))) as unknown as PartialItem[];
      for (const p of partials)
        if (latePartials(bucketFinals.get(p.pk), included, [p]).length > 0)
          found.set(`${p.pk}|${p.sk}`, p);
    });
    return [...found.values()]
      .filter((p) => overlaps(p.windowStart, p.windowEnd, fromMs, toMs))
      .map(lateResult)
      .sort((a, b) => a.windowStart - b.windowStart || a.sk.localeCompare(b.sk));
  }

  async rejects(fromMs: number, toMs: number): Promise<RejectItem[]> {
    const buckets: number[] = [];
    const first = Math.floor(fromMs / REJECT_BUCKET_MS) * REJECT_BUCKET_MS;
    for (let b = first; b < toMs; b += REJECT_BUCKET_MS) buckets.push(b);
    const keys = buckets.flatMap((hour) => ALL_BUCKETS.map((b) => rejectPk(hour, b)));
    const pages = await mapLimit(keys, this.concurrency, (pk) =>
      this.queryAll({
        TableName: this.opts.names.rejectsTable,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: pk } },
      }),
    );
    return (pages.flat() as unknown as RejectItem[])
      .filter((r) => r.arrivalMs >= fromMs && r.arrivalMs < toMs)
      .sort((a, b) => a.arrivalMs - b.arrivalMs || a.sk.localeCompare(b.sk));
  }
}

export function createResultsReader(opts: ResultsReaderOptions): ResultsReader {
  return new TableResultsReader(opts);
}
