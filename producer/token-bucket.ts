/**
 * Token bucket for a producer's send rate (pure: the caller passes the
 * clock). Refills at `ratePerSecond`, holds at most `burst` tokens, so a
 * producer that fell behind does not fire a huge catch-up burst.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private ratePerSecond: number,
    private readonly burst: number,
    nowMs: number,
  ) {
    this.tokens = 0;
    this.last = nowMs;
  }

  setRate(ratePerSecond: number): void {
    this.ratePerSecond = ratePerSecond;
  }

  /** Whole tokens available now, at most `max`; they are consumed. */
  take(nowMs: number, max = Number.POSITIVE_INFINITY): number {
    const elapsed = Math.max(0, nowMs - this.last);
    this.last = nowMs;
    this.tokens = Math.min(this.burst, this.tokens + (elapsed / 1000) * this.ratePerSecond);
    const n = Math.min(Math.floor(this.tokens), Math.floor(max));
    this.tokens -= n;
    return Math.max(0, n);
  }
}
