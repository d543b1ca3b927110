/**
 * Adapter for the control table's watermark items: per-shard progress
 * (max event time only forward), the global watermark and the close cursor
 * (only forward), and the closer's run marker. Forward-only moves are
 * conditional writes; a failed condition means someone already moved further.
 */
import {
  ConditionalCheckFailedException,
  GetItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { ProgressUpdate } from '../core/merge-plan';
import type { GlobalWatermarkItem, ShardProgressItem } from '../core/table-layout';
import {
  ALL_BUCKETS,
  GLOBAL_SK,
  SHARD_SK_PREFIX,
  WATERMARK_PK,
  bucketOf,
  progressPk,
  shardSk,
} from '../core/table-layout';
import { forEachLimited } from './windows-store';

/** Requests in flight at once when the closer reads or prunes every bucket's progress. */
const PROGRESS_CONCURRENCY = 16;

/** A shard's progress item: in its bucket's partition, so no key takes every shard's writes. */
const progressKey = (shardId: string) =>
  marshall({ pk: progressPk(bucketOf(shardId)), sk: shardSk(shardId) });

const isConditionFailure = (err: unknown): boolean =>
  err instanceof ConditionalCheckFailedException ||
  (err as { name?: string }).name === 'ConditionalCheckFailedException';

export interface GlobalState extends Partial<Omit<GlobalWatermarkItem, 'pk' | 'sk'>> {
  closerRunStartedAt?: number;
  /** the owning closer run's lease (epoch ms) */
  closerRunUntil?: number;
}

/** When a closer run may take over from the run that owns the closer (the scaler's terms too). */
export interface RunClaim {
  /** the new run's start: later runs compare with it */
  startedAt: number;
  /** the new run's lease: until then no other run takes over (epoch ms) */
  runUntil: number;
  /** the owner ends by then (epoch ms): hand over */
  handoverAt: number;
}

/** What one batch cost a lane: added to the shard's running totals. */
export interface BatchWork {
  records: number;
  busyMs: number;
}

export class ControlStore {
  constructor(
    private readonly db: DynamoDBClient,
    private readonly table: string,
  ) {}

  /**
   * `work` (records handled, busy milliseconds) rides on the same write as
   * running totals: the scaler's per-shard rates come from them, at no extra
   * write per batch (docs/autoscaling.md).
   */
  async updateShardProgress(p: ProgressUpdate, work?: BatchWork): Promise<void> {
    const key = progressKey(p.shardId);
    const hasWindows = p.openWindowStarts.length > 0;
    const always = {
      ':id': p.shardId,
      ':seq': p.lastSequenceNumber,
      ':now': p.lastSeenAt,
      ':age': p.iteratorAgeMs,
      ':partial': p.partialBatch,
      ...(hasWindows ? { ':windows': new Set(p.openWindowStarts) } : {}),
      ...(work ? { ':records': work.records, ':busy': work.busyMs } : {}),
    };
    const alwaysSet =
      'shardId = :id, lastSequenceNumber = :seq, lastSeenAt = :now, lastIteratorAgeMs = :age, lastBatchPartial = :partial';
    // A set union: concurrent lanes of one shard add their windows (and totals) without coordination.
    const adds = [
      ...(hasWindows ? ['openWindows :windows'] : []),
      ...(work ? ['processedRecords :records', 'busyMs :busy'] : []),
    ];
    const addWindows = adds.length > 0 ? ` ADD ${adds.join(', ')}` : '';
    if (p.maxEventTime !== undefined && p.minEventTime !== undefined) {
      try {
        await this.db.send(
          new UpdateItemCommand({
            TableName: this.table,
            Key: key,
            UpdateExpression: `SET ${alwaysSet}, maxEventTime = :max, minEventTime = if_not_exists(minEventTime, :min)${addWindows}`,
            ConditionExpression: 'attribute_not_exists(maxEventTime) OR maxEventTime < :max',
            ExpressionAttributeValues: marshall({
              ...always,
              ':max': p.maxEventTime,
              ':min': p.minEventTime,
            }),
          }),
        );
        return;
      } catch (err) {
        if (!isConditionFailure(err)) throw err;
      }
    }
    // Not further in event time: the shard was still seen (idleness), nothing else moves.
    await this.db.send(
      new UpdateItemCommand({
        TableName: this.table,
        Key: key,
        UpdateExpression: `SET ${alwaysSet}${addWindows}`,
        ExpressionAttributeValues: marshall(always),
      }),
    );
  }

  /** Forgets windows the close cursor has passed (closed, or late by definition). */
  async pruneOpenWindows(shardId: string, starts: readonly number[]): Promise<void> {
    if (starts.length === 0) return;
    await this.db.send(
      new UpdateItemCommand({
        TableName: this.table,
        Key: progressKey(shardId),
        UpdateExpression: 'DELETE openWindows :passed',
        ExpressionAttributeValues: marshall({ ':passed': new Set(starts) }),
      }),
    );
  }

  /** Forgets passed windows of many shards, several requests at once. */
  async pruneAll(prunes: ReadonlyArray<{ shardId: string; starts: readonly number[] }>) {
    const todo = prunes.filter((p) => p.starts.length > 0);
    await forEachLimited(todo, PROGRESS_CONCURRENCY, (p) =>
      this.pruneOpenWindows(p.shardId, p.starts),
    );
  }

  /** Every shard's progress: one query per bucket partition. */
  async readShardProgress(): Promise<ShardProgressItem[]> {
    const items: ShardProgressItem[] = [];
    await forEachLimited(ALL_BUCKETS, PROGRESS_CONCURRENCY, async (bucket) => {
      items.push(...(await this.readBucketProgress(bucket)));
    });
    return items.sort((a, b) => (a.shardId < b.shardId ? -1 : a.shardId > b.shardId ? 1 : 0));
  }

  private async readBucketProgress(bucket: number): Promise<ShardProgressItem[]> {
    const items: ShardProgressItem[] = [];
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :shard)',
          ExpressionAttributeValues: marshall({
            ':pk': progressPk(bucket),
            ':shard': SHARD_SK_PREFIX,
          }),
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const raw of out.Items ?? []) {
        const item = unmarshall(raw) as ShardProgressItem;
        // A shard with only rejected records so far has no event time yet.
        if (typeof item.maxEventTime === 'number') items.push(item);
      }
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return items;
  }

  async readGlobal(): Promise<GlobalState> {
    const out = await this.db.send(
      new GetItemCommand({
        TableName: this.table,
        Key: marshall({ pk: WATERMARK_PK, sk: GLOBAL_SK }),
        ConsistentRead: true,
      }),
    );
    return out.Item ? (unmarshall(out.Item) as GlobalState) : {};
  }

  /** The owner's lease, extended to `runUntil`; false once a newer run holds the closer. */
  async renewCloserRun(startedAt: number, runUntil: number): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: marshall({ pk: WATERMARK_PK, sk: GLOBAL_SK }),
          UpdateExpression: 'SET closerRunUntil = :until',
          ConditionExpression: 'closerRunStartedAt = :r',
          ExpressionAttributeValues: marshall({ ':r': startedAt, ':until': runUntil }),
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  /** Moves `attr` of the GLOBAL item forward to `value`; false when it was already there or beyond. */
  private async forward(
    attr: 'watermark' | 'closedThrough',
    value: number,
    nowMs: number,
  ): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: marshall({ pk: WATERMARK_PK, sk: GLOBAL_SK }),
          UpdateExpression: 'SET #a = :v, updatedAt = :now',
          ConditionExpression: 'attribute_not_exists(#a) OR #a < :v',
          ExpressionAttributeNames: { '#a': attr },
          ExpressionAttributeValues: marshall({ ':v': value, ':now': nowMs }),
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  advanceWatermark(watermark: number, nowMs: number): Promise<boolean> {
    return this.forward('watermark', watermark, nowMs);
  }

  advanceCloseCursor(closedThrough: number, nowMs: number): Promise<boolean> {
    return this.forward('closedThrough', closedThrough, nowMs);
  }

  /**
   * Takes over the closer for a new run — only when the owner's lease ends
   * within a tick (or there is none); false otherwise, and the new run does
   * nothing. The owner renews its lease every tick (renewCloserRun) and stops
   * once a newer run holds the closer. A run that took over a live owner
   * would make a slow machine pile runs up: each scheduled run outliving the
   * schedule's period (at the local cloud's speed-up, two seconds) meant one
   * more execution environment every period — 23 closers at once in a chaos
   * run. The lease bounds how long a dead or stuck owner blocks its successors.
   */
  async claimCloserRun(c: RunClaim): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: marshall({ pk: WATERMARK_PK, sk: GLOBAL_SK }),
          UpdateExpression: 'SET closerRunStartedAt = :r, closerRunUntil = :until',
          ConditionExpression:
            'attribute_not_exists(closerRunStartedAt) OR (closerRunStartedAt < :r AND ' +
            '(attribute_not_exists(closerRunUntil) OR closerRunUntil <= :handover))',
          ExpressionAttributeValues: marshall({
            ':r': c.startedAt,
            ':until': c.runUntil,
            ':handover': c.handoverAt,
          }),
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }
}

/** What the handlers need of the control table (the adapter above, or the scale simulation's model). */
export type ControlPort = Pick<ControlStore, keyof ControlStore>;
