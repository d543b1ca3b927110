/**
 * The producers' tunables (one typed module): how a writer batches, backs
 * off and limits its rate per shard. The values follow the Kinesis Producer
 * Library (KPL) where it has an equivalent, and say so.
 */
import type { EndpointHealthOptions } from './endpoint-health';

export interface ShardLimiterOptions {
  /** A shard's limit before anything was learned: the Kinesis per-shard write limit. */
  initialRecordsPerSecond: number;
  /**
   * Never above this: the KPL's RateLimit default is 150 % of the shard
   * limit, so that a saturated stream keeps answering some throttles (the
   * signal that demand exceeds capacity) without being hammered.
   */
  maxRecordsPerSecond: number;
  minRecordsPerSecond: number;
  /**
   * Additive increase: while a shard's limit is what holds records back, it
   * grows by this fraction of the level it was last cut from, per second.
   */
  increasePerSecond: number;
  /** Multiplicative decrease: on a throttle, limit = this × the rate just sent. */
  decreaseFactor: number;
  /**
   * Tokens a shard's bucket holds at most, in seconds of its limit: one
   * second, as Kinesis accounts per second, so that a writer whose event loop
   * is late still gets its limit's worth (a shorter burst would cap it below).
   */
  burstSeconds: number;
  /** The send rate a decrease starts from is measured over this window. */
  rateWindowMs: number;
}

export interface ProducerConfig {
  limiter: ShardLimiterOptions;
  /**
   * Milliseconds between the producer's demand items in the control table
   * (producer/demand-heartbeat.ts): the scaler sees demand this stale at
   * most; each is one small DynamoDB write.
   */
  demandHeartbeatMs: number;
  writer: {
    /** PutRecords calls in flight per writer. */
    maxInFlight: number;
    /** A call smaller than 500 records waits this long for more (the KPL's RecordMaxBufferedTime is 100 ms). */
    lingerMs: number;
    /** Shortest sleep while records wait for a shard's tokens. */
    minWakeMs: number;
  };
  /** Exponential backoff with full jitter for records that failed. */
  backoff: { baseMs: number; capMs: number };
  shardMap: {
    /** A refresh (ListShards) asked for within this time of the last one waits. */
    minRefreshIntervalMs: number;
  };
  /**
   * When the endpoint gives no usable answer (endpoint-health.ts): one probe
   * call after probeBaseMs, doubling to probeCapMs; the run gives up when
   * nothing has answered for giveUpAfterMs (the KPL's RecordTtl is 30 s).
   */
  endpoint: EndpointHealthOptions;
  /** AWS per-shard write limit: the stream's capacity shown next to the producer's limit. */
  shardRecordsPerSecond: number;
}

export const PRODUCER_CONFIG: ProducerConfig = {
  demandHeartbeatMs: 2_000,
  limiter: {
    initialRecordsPerSecond: 1000,
    maxRecordsPerSecond: 1500,
    minRecordsPerSecond: 10,
    increasePerSecond: 0.1,
    decreaseFactor: 0.7,
    burstSeconds: 1,
    rateWindowMs: 1_000,
  },
  writer: { maxInFlight: 4, lingerMs: 50, minWakeMs: 5 },
  backoff: { baseMs: 50, capMs: 2_000 },
  shardMap: { minRefreshIntervalMs: 1_000 },
  endpoint: { probeBaseMs: 250, probeCapMs: 2_000, giveUpAfterMs: 30_000 },
  shardRecordsPerSecond: 1000,
};
