/**
 * Adapter for the rejects table. Each rejected record is kept under its own
 * key (shard + sequence number), so a replayed batch overwrites it with the
 * same content: idempotent without a condition.
 */
import {
  BatchWriteItemCommand,
  type DynamoDBClient,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { RejectItem } from '../core/table-layout';

const BATCH_WRITE_MAX = 25;
const MAX_UNPROCESSED_ROUNDS = 8;

export class RejectsStore {
  constructor(
    private readonly db: DynamoDBClient,
    private readonly table: string,
  ) {}

  async put(rejects: readonly RejectItem[]): Promise<void> {
    for (let i = 0; i < rejects.length; i += BATCH_WRITE_MAX) {
      let requests: WriteRequest[] = rejects
        .slice(i, i + BATCH_WRITE_MAX)
        .map((r) => ({ PutRequest: { Item: marshall(r, { removeUndefinedValues: true }) } }));
      for (let round = 0; requests.length > 0; round++) {
        if (round >= MAX_UNPROCESSED_ROUNDS) {
          throw new Error(
            `rejects table kept ${requests.length} writes unprocessed; the batch will be retried`,
          );
        }
        if (round > 0) await new Promise((r) => setTimeout(r, 50 * 2 ** round));
        const out = await this.db.send(
          new BatchWriteItemCommand({ RequestItems: { [this.table]: requests } }),
        );
        requests = out.UnprocessedItems?.[this.table] ?? [];
      }
    }
  }
}

/** What the consumer needs of the rejects table (the adapter above, or the scale simulation's model). */
export type RejectsPort = Pick<RejectsStore, keyof RejectsStore>;
