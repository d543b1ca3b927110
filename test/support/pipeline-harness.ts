/**
 * The consumer and closer wired to a real DynamoDB emulator, driven
 * in-process with a test clock: the same code paths as the Lambda handlers
 * (consumeBatch, closerTick), with fault-injection points in the adapters.
 */
import {
  resolveConfig,
  resourceNames,
  type ConfigOverrides,
  type StreamscaleConfig,
} from '../../functions/config';
import { dynamoClient } from '../../functions/aws/clients';
import type { KinesisRecordLike } from '../../functions/core/merge-plan';
import type { ShardLineage } from '../../functions/core/watermark';
import { consumeBatch } from '../../functions/handlers/consumer';
import { closerTick, type TickReport } from '../../functions/handlers/closer-tick';
import { ControlStore } from '../../functions/store/control-store';
import { RejectsStore } from '../../functions/store/rejects-store';
import { WindowsStore } from '../../functions/store/windows-store';
import type { PartialItem, FinalItem } from '../../functions/core/table-layout';
import { createTables, testClientEnv } from './dynalite';
import { readActual, recompute, compare, type Expected } from './oracle';

/** A windows store that dies after `writesBeforeCrash` successful writes: an invocation killed mid-batch. */
export class CrashingWindowsStore extends WindowsStore {
  private writes = 0;
  constructor(
    inner: ConstructorParameters<typeof WindowsStore>,
    private readonly writesBeforeCrash: number,
  ) {
    super(...inner);
  }
  override async putOnce(item: PartialItem | FinalItem) {
    if (this.writes >= this.writesBeforeCrash)
      throw new Error('injected crash: invocation died mid-batch');
    this.writes += 1;
    return super.putOnce(item);
  }
}

let prefixCounter = 0;

export async function makePipeline(endpoint: string, overrides: ConfigOverrides = {}) {
  testClientEnv();
  prefixCounter += 1;
  const prefix = `t${process.pid % 10000}x${prefixCounter}`;
  const config: StreamscaleConfig = resolveConfig({
    prefix,
    windowing: {
      windowSizeMs: 10_000,
      allowedLatenessMs: 20_000,
      idleTimeoutMs: 30_000,
      ...overrides.windowing,
    },
    closer: { recheckHorizonMs: 120_000, ...overrides.closer },
    consumer: overrides.consumer,
  });
  await createTables(endpoint, prefix);
  const db = dynamoClient({ endpoint, region: 'us-east-1' });
  const names = resourceNames(prefix);
  const windows = new WindowsStore(db, names.windowsTable, 4);
  const control = new ControlStore(db, names.controlTable);
  const rejects = new RejectsStore(db, names.rejectsTable);
  let lineage: ShardLineage[] | undefined;
  const sent: Array<{ data: string }> = [];

  const p = {
    config,
    prefix,
    db,
    windows,
    control,
    /** every distinct record the stream held (what the oracle recomputes from) */
    sent,
    setLineage(l: ShardLineage[] | undefined) {
      lineage = l;
    },
    /** records enter the stream (recorded once for the oracle) */
    stream(records: readonly KinesisRecordLike[]) {
      for (const r of records) sent.push({ data: Buffer.from(r.data).toString('utf8') });
      return records;
    },
    consume(records: readonly KinesisRecordLike[], nowMs: number, store: WindowsStore = windows) {
      return consumeBatch({ config, windows: store, control, rejects }, records, nowMs);
    },
    crashingStore(writesBeforeCrash: number) {
      return new CrashingWindowsStore([db, names.windowsTable, 1], writesBeforeCrash);
    },
    tick(nowMs: number): Promise<TickReport> {
      return closerTick({ config, windows, control, lineage: async () => lineage }, nowMs);
    },
    /** ticks as time passes with no traffic until every window is closed */
    async drain(fromMs: number): Promise<TickReport[]> {
      const reports: TickReport[] = [];
      const step = config.windowing.windowSizeMs;
      const until =
        fromMs + config.windowing.idleTimeoutMs + config.windowing.allowedLatenessMs + 4 * step;
      for (let now = fromMs; now <= until; now += step) reports.push(await p.tick(now));
      return reports;
    },
    expected(futureLimitMs: number): Expected {
      return recompute(sent, { windowSizeMs: config.windowing.windowSizeMs, futureLimitMs });
    },
    actual() {
      return readActual(db, prefix);
    },
    async problems(futureLimitMs: number): Promise<string[]> {
      return compare(p.expected(futureLimitMs), await p.actual());
    },
  };
  return p;
}

export type Pipeline = Awaited<ReturnType<typeof makePipeline>>;
