/**
 * Adapter for the windows table: partial items written once, bucket finals
 * and finals written once, bucket partitions read, late partials flagged. Conditional-check
 * failures on write-once items mean "already there" (a replay or a second
 * closer), which is success; every other error propagates so the invocation
 * fails and is retried.
 */
import {
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { PartialKeys } from '../core/closing';
import type { BucketFinalItem, FinalItem, PartialItem } from '../core/table-layout';
import {
  BUCKET_FINAL_SK,
  FINAL_SK,
  GSI_LATE,
  bucketPk,
  isPartialSk,
  windowPk,
} from '../core/table-layout';

export type WriteOnceOutcome = 'written' | 'already-there';

/** Runs `fn` over items with at most `limit` in flight. */
export async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  fn: (x: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i] as T);
    }
  });
  await Promise.all(workers);
}

export interface PartialsOutcome {
  written: number;
  duplicates: number;
  lateRecordsWritten: number;
}

/** One bucket of one window: its partials and its bucket final, if written. */
export interface BucketPartition {
  partials: PartialItem[];
  final: BucketFinalItem | undefined;
}

type Key = Record<string, import('@aws-sdk/client-dynamodb').AttributeValue>;

export class WindowsStore {
  constructor(
    private readonly db: DynamoDBClient,
    private readonly table: string,
    private readonly writeConcurrency = 16,
  ) {}

  async putOnce(item: PartialItem | BucketFinalItem | FinalItem): Promise<WriteOnceOutcome> {
    try {
      await this.db.send(
        new PutItemCommand({
          TableName: this.table,
          Item: marshall(item, { removeUndefinedValues: true }),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return 'written';
    } catch (err) {
      if (
        err instanceof ConditionalCheckFailedException ||
        (err as { name?: string }).name === 'ConditionalCheckFailedException'
      ) {
        return 'already-there';
      }
      throw err;
    }
  }

  /**
   * Writes a batch's partials; resolves to how many were new and how many
   * replays, and how many records the new late-flagged ones hold (a replay's
   * late partials were counted by the attempt that wrote them).
   */
  async putPartials(partials: readonly PartialItem[]): Promise<PartialsOutcome> {
    let written = 0;
    let duplicates = 0;
    let lateRecordsWritten = 0;
    await forEachLimited(partials, this.writeConcurrency, async (p) => {
      if ((await this.putOnce(p)) === 'written') {
        written += 1;
        if (p.gsiPk === GSI_LATE) lateRecordsWritten += p.records;
      } else duplicates += 1;
    });
    return { written, duplicates, lateRecordsWritten };
  }

  async readBucket(windowStart: number, bucket: number): Promise<BucketPartition> {
    const partials: PartialItem[] = [];
    let final: BucketFinalItem | undefined;
    let startKey: Key | undefined;
    do {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': { S: bucketPk(windowStart, bucket) } },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const raw of out.Items ?? []) {
        const item = unmarshall(raw);
        if (item.sk === BUCKET_FINAL_SK) final = item as BucketFinalItem;
        else if (isPartialSk(item.sk as string)) partials.push(item as PartialItem);
      }
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return { partials, final };
  }

  /**
   * A bucket's partials without their aggregates, and its bucket final's
   * `included` list: what the closer's recheck needs.
   */
  async readBucketKeys(
    windowStart: number,
    bucket: number,
  ): Promise<{ partials: PartialKeys[]; final: Pick<BucketFinalItem, 'included'> | undefined }> {
    const partials: PartialKeys[] = [];
    let final: Pick<BucketFinalItem, 'included'> | undefined;
    let startKey: Key | undefined;
    do {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk',
          ProjectionExpression: 'pk, sk, windowStart, #records, gsiPk, included',
          ExpressionAttributeNames: { '#records': 'records' },
          ExpressionAttributeValues: { ':pk': { S: bucketPk(windowStart, bucket) } },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const raw of out.Items ?? []) {
        const item = unmarshall(raw);
        if (item.sk === BUCKET_FINAL_SK)
          final = { included: (item.included as string[] | undefined) ?? [] };
        else if (isPartialSk(item.sk as string)) partials.push(item as PartialKeys);
      }
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return { partials, final };
  }

  private async get<T>(pk: string, sk: string): Promise<T | undefined> {
    const out = await this.db.send(
      new GetItemCommand({
        TableName: this.table,
        Key: marshall({ pk, sk }),
        ConsistentRead: true,
      }),
    );
    return out.Item ? (unmarshall(out.Item) as T) : undefined;
  }

  /** A window's final, if it was written. */
  readFinal(windowStart: number): Promise<FinalItem | undefined> {
    return this.get<FinalItem>(windowPk(windowStart), FINAL_SK);
  }

  /** A bucket's final, if it was written (after losing a write-once race, the winner's). */
  readBucketFinal(windowStart: number, bucket: number): Promise<BucketFinalItem | undefined> {
    return this.get<BucketFinalItem>(bucketPk(windowStart, bucket), BUCKET_FINAL_SK);
  }

  /** Puts a late partial into the LATE index (idempotent). */
  async flagLate(p: Pick<PartialItem, 'pk' | 'sk' | 'windowStart'>): Promise<void> {
    await this.db.send(
      new UpdateItemCommand({
        TableName: this.table,
        Key: marshall({ pk: p.pk, sk: p.sk }),
        UpdateExpression: 'SET gsiPk = :late, gsiSk = :ws',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: marshall({ ':late': GSI_LATE, ':ws': p.windowStart }),
      }),
    );
  }
}

/** What the handlers need of the windows table (the adapter above, or the scale simulation's model). */
export type WindowsPort = Pick<WindowsStore, keyof WindowsStore>;
