/**
 * After the producers stop: wait (bounded) until the stream is drained —
 * every accepted record is in a partial item or in the rejects table — and
 * the last window with data has closed (the close cursor in WM/GLOBAL is past
 * it). Reads the tables with plain Scans, independent of the query tools, so
 * the end-to-end test checks the pipeline against the table layout itself.
 */
import { ScanCommand, type DynamoDBClient, type ScanCommandInput } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { ResourceNames } from '../../functions/config';
import { isCounted } from '../../functions/core/closing';
import {
  BUCKET_FINAL_SK,
  FINAL_SK,
  GLOBAL_SK,
  isPartialSk,
  WATERMARK_PK,
  type BucketFinalItem,
  type FinalItem,
  type GlobalWatermarkItem,
  type PartialItem,
  type RejectItem,
} from '../../functions/core/table-layout';

export interface TableSnapshot {
  partials: PartialItem[];
  finals: FinalItem[];
  bucketFinals: BucketFinalItem[];
  rejects: RejectItem[];
  global?: GlobalWatermarkItem;
}

async function scanAll(
  client: DynamoDBClient,
  table: string,
  extra: Partial<ScanCommandInput> = {},
): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  let start: ScanCommandInput['ExclusiveStartKey'];
  do {
    const page = await client.send(
      new ScanCommand({
        TableName: table,
        ConsistentRead: true,
        ExclusiveStartKey: start,
        ...extra,
      }),
    );
    for (const item of page.Items ?? []) rows.push(unmarshall(item));
    start = page.LastEvaluatedKey;
  } while (start);
  return rows;
}

export async function snapshotTables(
  client: DynamoDBClient,
  names: Pick<ResourceNames, 'windowsTable' | 'controlTable' | 'rejectsTable'>,
): Promise<TableSnapshot> {
  const [windows, control, rejects] = await Promise.all([
    scanAll(client, names.windowsTable),
    scanAll(client, names.controlTable),
    scanAll(client, names.rejectsTable),
  ]);
  return {
    partials: windows.filter((w) => isPartialSk(String(w.sk))) as unknown as PartialItem[],
    finals: windows.filter((w) => w.sk === FINAL_SK) as unknown as FinalItem[],
    bucketFinals: windows.filter((w) => w.sk === BUCKET_FINAL_SK) as unknown as BucketFinalItem[],
    rejects: rejects as unknown as RejectItem[],
    global: control.find((c) => c.pk === WATERMARK_PK && c.sk === GLOBAL_SK) as unknown as
      GlobalWatermarkItem | undefined,
  };
}

/** Valid records in partials plus rejected records: what the consumer has accounted for. */
export const recordsAccountedFor = (s: TableSnapshot): number =>
  s.partials.reduce((a, p) => a + Number(p.records), 0) + s.rejects.length;

/** Late partials: in a closed window but not counted by its finals (or in a closed window without a final). */
export function latePartials(s: TableSnapshot): PartialItem[] {
  const finals = new Map(s.finals.map((f) => [f.windowStart, f]));
  const bucketFinals = new Map(s.bucketFinals.map((b) => [b.pk, b]));
  const closedThrough = s.global?.closedThrough ?? -Infinity;
  return s.partials.filter((p) => {
    const final = finals.get(p.windowStart);
    if (final) return !isCounted(p, bucketFinals.get(p.pk), final);
    return p.windowEnd <= closedThrough;
  });
}

export interface SettleOptions {
  client: DynamoDBClient;
  names: Pick<ResourceNames, 'windowsTable' | 'controlTable' | 'rejectsTable'>;
  /** records Kinesis accepted */
  accepted: number;
  /** end (epoch ms) of the last window holding a valid, on-time record */
  lastWindowEndMs: number;
  timeoutMs: number;
  pollMs?: number;
  signal?: AbortSignal;
  onProgress?: (p: { accountedFor: number; closedThrough?: number; elapsedMs: number }) => void;
}

export interface SettleResult {
  drained: boolean;
  closed: boolean;
  snapshot: TableSnapshot;
  waitedMs: number;
}

export async function waitUntilSettled(o: SettleOptions): Promise<SettleResult> {
  const t0 = Date.now();
  for (;;) {
    const snapshot = await snapshotTables(o.client, o.names);
    const accountedFor = recordsAccountedFor(snapshot);
    const closedThrough = snapshot.global?.closedThrough;
    const drained = accountedFor >= o.accepted;
    const closed = (closedThrough ?? -Infinity) >= o.lastWindowEndMs;
    const waitedMs = Date.now() - t0;
    o.onProgress?.({ accountedFor, closedThrough, elapsedMs: waitedMs });
    if ((drained && closed) || waitedMs >= o.timeoutMs || o.signal?.aborted)
      return { drained, closed, snapshot, waitedMs };
    await new Promise((r) => setTimeout(r, o.pollMs ?? 1_000));
  }
}
