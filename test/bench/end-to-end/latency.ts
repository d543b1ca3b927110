/**
 * Latency of one load, read from the tables once its windows have closed:
 * event -> provisional (a partial item's write time minus its oldest
 * record's arrival in the stream) and window end -> final (a final item's
 * close time minus its window's end).
 */
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { ResourceNames } from '../../../functions/config';
import { GLOBAL_SK, WATERMARK_PK } from '../../../functions/core/table-layout';
import type { Pipeline } from '../../e2e/pipeline-harness';
import { snapshotTables } from '../../../tools/demo/pipeline-settle';

export interface Latencies {
  /** ms, one per partial item written during the load */
  provisional: number[];
  /** ms, one per window that started and ended within the load */
  finals: number[];
  /** every window of the load closed before the wait ran out */
  closed: boolean;
}

const POLL_MS = 250;

async function closedThrough(p: Pipeline, names: ResourceNames): Promise<number> {
  const out = await p.clients.dynamo.send(
    new GetItemCommand({
      TableName: names.controlTable,
      Key: { pk: { S: WATERMARK_PK }, sk: { S: GLOBAL_SK } },
      ConsistentRead: true,
    }),
  );
  return Number(out.Item ? (unmarshall(out.Item).closedThrough ?? 0) : 0);
}

/** Waits (bounded) until every window up to `lastWindowEndMs` is closed, then reads the latencies. */
export async function latenciesOf(
  p: Pipeline,
  names: ResourceNames,
  load: { startedAt: number; producersEndedAt: number },
  timeoutMs: number,
): Promise<Latencies> {
  const size = p.config.windowing.windowSizeMs;
  const lastWindowEndMs = Math.ceil(load.producersEndedAt / size) * size;
  const t0 = Date.now();
  let closed = false;
  while (!closed && Date.now() - t0 < timeoutMs) {
    closed = (await closedThrough(p, names)) >= lastWindowEndMs;
    if (!closed) await new Promise((r) => setTimeout(r, POLL_MS));
  }
  const s = await snapshotTables(p.clients.dynamo, names);
  return {
    provisional: s.partials
      .filter((x) => Number(x.writtenAt) >= load.startedAt)
      .map((x) => Number(x.writtenAt) - Number(x.firstArrivalMs)),
    finals: s.finals
      .filter((f) => Number(f.windowStart) >= load.startedAt)
      .map((f) => Number(f.closedAt) - Number(f.windowEnd)),
    closed,
  };
}
