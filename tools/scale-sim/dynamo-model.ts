/**
 * A DynamoDB model for the scale simulation (pure, in memory, virtual
 * time): items by table, partition key and sort key; conditional writes;
 * and what AWS meters and limits per partition key — write and read units
 * per second (a request over the key's budget is refused with
 * ProvisionedThroughputExceededException, and still counts as demand) and
 * the 400 KB item size (ValidationException). Every request also costs a
 * fixed latency, so the simulation can time its actors.
 */
import { itemBytes, readUnits, writeUnits } from './item-size';

export type Item = Record<string, unknown>;

export interface PartitionLimits {
  wcuPerSecond: number;
  rcuPerSecond: number;
  maxItemBytes: number;
}

/** AWS's documented per-partition limits (a key never spans partitions). */
export const AWS_PARTITION_LIMITS: PartitionLimits = {
  wcuPerSecond: 1000,
  rcuPerSecond: 3000,
  maxItemBytes: 400 * 1024,
};

export class ModelError extends Error {
  constructor(
    override readonly name:
      | 'ProvisionedThroughputExceededException'
      | 'ValidationException'
      | 'ConditionalCheckFailedException',
    message: string,
  ) {
    super(message);
  }
}

interface KeyMeter {
  second: number;
  wcu: number;
  rcu: number;
}

/** A key's class: its digits replaced, so every window's partition is one class (W#N), for fitting. */
export const keyClass = (key: string): string => key.replace(/\d+/g, 'N');

export interface ClassPeak {
  wcu: number;
  rcu: number;
  itemBytes: number;
}

export interface ModelStats {
  /** highest units demanded of one partition key in one second (refused requests included) */
  maxWcuPerSecond: { key: string; units: number };
  maxRcuPerSecond: { key: string; units: number };
  maxItem: { key: string; bytes: number };
  /** requests refused for throughput */
  throttled: number;
  writeUnits: number;
  readUnits: number;
  requests: number;
  /** per key class, the highest units per second of one key and its largest item */
  byClass: Map<string, ClassPeak>;
}

export interface QueryOptions {
  skPrefix?: string;
  consistent: boolean;
}

const clone = <T>(x: T): T => structuredClone(x);

export class DynamoModel {
  /** virtual time (epoch ms) of the request being made; the simulation sets it */
  nowMs = 0;
  /** latency accumulated by requests (ms); actors read it to time themselves */
  busyMs = 0;
  readonly stats: ModelStats = {
    maxWcuPerSecond: { key: '', units: 0 },
    maxRcuPerSecond: { key: '', units: 0 },
    maxItem: { key: '', bytes: 0 },
    throttled: 0,
    writeUnits: 0,
    readUnits: 0,
    requests: 0,
    byClass: new Map(),
  };
  private readonly tables = new Map<string, Map<string, Map<string, Item>>>();
  private readonly meters = new Map<string, KeyMeter>();

  constructor(
    readonly limits: PartitionLimits = AWS_PARTITION_LIMITS,
    readonly latencyMs = 5,
  ) {}

  private peak(key: string): ClassPeak {
    const c = keyClass(key);
    let p = this.stats.byClass.get(c);
    if (!p) this.stats.byClass.set(c, (p = { wcu: 0, rcu: 0, itemBytes: 0 }));
    return p;
  }

  private partition(table: string, pk: string): Map<string, Item> {
    let t = this.tables.get(table);
    if (!t) this.tables.set(table, (t = new Map()));
    let p = t.get(pk);
    if (!p) t.set(pk, (p = new Map()));
    return p;
  }

  /** Meters `units` on a key; refuses the request when the key's second is spent. */
  private charge(table: string, pk: string, kind: 'wcu' | 'rcu', units: number): void {
    this.stats.requests += 1;
    this.busyMs += this.latencyMs;
    const key = `${table}|${pk}`;
    const second = Math.floor(this.nowMs / 1000);
    let m = this.meters.get(key);
    if (!m || m.second !== second) this.meters.set(key, (m = { second, wcu: 0, rcu: 0 }));
    m[kind] += units;
    const max = kind === 'wcu' ? this.stats.maxWcuPerSecond : this.stats.maxRcuPerSecond;
    if (m[kind] > max.units) Object.assign(max, { key, units: m[kind] });
    const peak = this.peak(key);
    peak[kind] = Math.max(peak[kind], m[kind]);
    const limit = kind === 'wcu' ? this.limits.wcuPerSecond : this.limits.rcuPerSecond;
    if (m[kind] > limit) {
      this.stats.throttled += 1;
      throw new ModelError(
        'ProvisionedThroughputExceededException',
        `${kind} of partition key ${pk} over ${limit}/s`,
      );
    }
    if (kind === 'wcu') this.stats.writeUnits += units;
    else this.stats.readUnits += units;
  }

  private checkSize(table: string, item: Item): number {
    const bytes = itemBytes(item);
    const key = `${table}|${String(item.pk)}|${String(item.sk)}`;
    if (bytes > this.stats.maxItem.bytes) this.stats.maxItem = { key, bytes };
    const peak = this.peak(`${table}|${String(item.pk)}|${String(item.sk)}`);
    peak.itemBytes = Math.max(peak.itemBytes, bytes);
    if (bytes > this.limits.maxItemBytes)
      throw new ModelError(
        'ValidationException',
        `Item size has exceeded the maximum allowed size (${key}: ${bytes} bytes)`,
      );
    return bytes;
  }

  /** PutItem, optionally conditional on the item as it is; a failed condition still costs its units. */
  put(
    table: string,
    item: Item,
    condition?: (old: Item | undefined) => boolean,
  ): 'written' | 'condition-failed' {
    const pk = String(item.pk);
    const sk = String(item.sk);
    const bytes = this.checkSize(table, item);
    const part = this.partition(table, pk);
    const old = part.get(sk);
    this.charge(table, pk, 'wcu', writeUnits(Math.max(bytes, old ? itemBytes(old) : 0)));
    if (condition && !condition(old)) return 'condition-failed';
    part.set(sk, clone(item));
    return 'written';
  }

  /**
   * UpdateItem: `apply` returns the new item, or undefined when its condition
   * fails (which still costs the units of the item as it is).
   */
  update(
    table: string,
    pk: string,
    sk: string,
    apply: (old: Item | undefined) => Item | undefined,
  ): 'written' | 'condition-failed' {
    const part = this.partition(table, pk);
    const old = part.get(sk);
    const next = apply(old ? clone(old) : undefined);
    const bytes = next ? this.checkSize(table, next) : 0;
    this.charge(table, pk, 'wcu', writeUnits(Math.max(bytes, old ? itemBytes(old) : 0)));
    if (!next) return 'condition-failed';
    part.set(sk, next);
    return 'written';
  }

  get(table: string, pk: string, sk: string, consistent: boolean): Item | undefined {
    const item = this.partition(table, pk).get(sk);
    this.charge(table, pk, 'rcu', readUnits(item ? itemBytes(item) : 0, consistent));
    return item ? clone(item) : undefined;
  }

  /** Query on a partition key: units by the size of every item read, whatever is projected. */
  query(table: string, pk: string, o: QueryOptions): Item[] {
    const items = [...this.partition(table, pk).entries()]
      .filter(([sk]) => o.skPrefix === undefined || sk.startsWith(o.skPrefix))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, item]) => item);
    const bytes = items.reduce((n, i) => n + itemBytes(i), 0);
    this.charge(table, pk, 'rcu', readUnits(bytes, o.consistent));
    return items.map(clone);
  }

  /** Every item of a table (the offline check reads what was stored, as a Scan would; not metered). */
  scan(table: string): Item[] {
    const out: Item[] = [];
    for (const part of this.tables.get(table)?.values() ?? []) out.push(...part.values());
    return out.map(clone);
  }

  /** Runs `n` requests `limit` at a time: their latency overlaps. */
  async concurrently<T>(
    items: readonly T[],
    limit: number,
    fn: (x: T) => Promise<void>,
  ): Promise<void> {
    const before = this.busyMs;
    try {
      for (const x of items) await fn(x);
    } finally {
      const spent = this.busyMs - before;
      this.busyMs = before + spent / Math.max(1, Math.min(limit, items.length));
    }
  }
}
