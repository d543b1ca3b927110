/**
 * The producers' demand, published where the scaler reads it cheaply: one
 * item per producer run in the control table (functions/store/
 * producer-demand-store.ts), overwritten every `intervalMs` with the run's
 * running totals and the records it holds back now. The stream sees only
 * what gets in; a KPL-like producer that paces itself holds the rest, so
 * without this the scaler would see a spike only as a few percent of
 * throttling (docs/autoscaling.md, "Signals"). The KPL publishes the same
 * figure as UserRecordsPending.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { hostname } from 'node:os';
import { deleteProducerDemand, putProducerDemand } from '../functions/store/producer-demand-store';
import type { ProducerStats } from './producer-stats';

export interface DemandHeartbeatOptions {
  client: DynamoDBClient;
  /** the pipeline's control table */
  table: string;
  stats: ProducerStats;
  intervalMs: number;
  producerId?: string;
  now?: () => number;
  onError?: (err: unknown) => void;
}

export class DemandHeartbeat {
  readonly producerId: string;
  private readonly startedAt: number;
  private timer?: NodeJS.Timeout;
  private inFlight: Promise<void> = Promise.resolve();

  constructor(private readonly o: DemandHeartbeatOptions) {
    this.startedAt = (o.now ?? Date.now)();
    this.producerId = o.producerId ?? `${hostname()}:${process.pid}:${this.startedAt}`;
  }

  start(): void {
    this.timer = setInterval(() => {
      this.inFlight = this.inFlight.then(() => this.publish());
    }, this.o.intervalMs);
    this.timer.unref();
    this.inFlight = this.inFlight.then(() => this.publish());
  }

  /** Stop, and remove the item: a stopped producer offers nothing. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.inFlight;
    try {
      await deleteProducerDemand(this.o.client, this.o.table, this.producerId);
    } catch (err) {
      this.o.onError?.(err);
    }
  }

  async publish(): Promise<void> {
    const s = this.o.stats;
    try {
      await putProducerDemand(this.o.client, this.o.table, {
        producerId: this.producerId,
        startedAt: this.startedAt,
        at: (this.o.now ?? Date.now)(),
        generated: s.generated,
        accepted: s.accepted,
        acceptedBytes: s.acceptedBytes,
        throttled: s.throttled,
        retried: s.retried,
        pending: s.pending,
      });
    } catch (err) {
      // Best effort, like the metrics: a lost heartbeat must not stop the producers.
      this.o.onError?.(err);
    }
  }
}
