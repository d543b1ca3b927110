/**
 * Per-shard write limits (pure, time passed in): one bucket of records and
 * one of bytes, each refilled continuously at its per-second rate and holding
 * at most one second's worth, as Kinesis enforces 1,000 records/s and 1 MiB/s
 * per shard.
 */
export class ShardWriteLimiter {
  private records: number;
  private bytes: number;
  private last: number;

  constructor(
    private readonly recordsPerSecond: number,
    private readonly bytesPerSecond: number,
    nowMs: number,
  ) {
    this.records = recordsPerSecond;
    this.bytes = bytesPerSecond;
    this.last = nowMs;
  }

  /** Takes one record of `size` bytes if both buckets allow it. */
  tryTake(size: number, nowMs: number): boolean {
    if (nowMs > this.last) {
      const dt = (nowMs - this.last) / 1000;
      this.records = Math.min(this.recordsPerSecond, this.records + dt * this.recordsPerSecond);
      this.bytes = Math.min(this.bytesPerSecond, this.bytes + dt * this.bytesPerSecond);
      this.last = nowMs;
    }
    if (this.records < 1 || this.bytes < size) return false;
    this.records -= 1;
    this.bytes -= size;
    return true;
  }
}
