/**
 * Is the endpoint answering? Shared by the writers of a run (pure; time is
 * passed in). A call that gets no usable answer (call-errors.ts: refused,
 * reset, timed out, 5xx) marks the endpoint down: from then on the writers
 * send one probe call at a time, the first after `probeBaseMs`, each
 * failed probe doubling the wait up to `probeCapMs` — a circuit breaker
 * rather than a retry of every record into a dead endpoint (which, treated
 * as throttling, made ~700 calls a second at 57 % CPU when the cloud
 * died). The first answer marks it up again. Once nothing has answered for
 * `giveUpAfterMs`, counted from when the first failed call was sent, the
 * run gives up with EndpointDownError.
 */
import { describeCallError } from './call-errors';

export interface EndpointHealthOptions {
  probeBaseMs: number;
  probeCapMs: number;
  giveUpAfterMs: number;
}

export class EndpointDownError extends Error {
  override name = 'EndpointDownError';
  constructor(
    readonly downForMs: number,
    override readonly cause: unknown,
  ) {
    super(
      `the endpoint did not answer for ${Math.round(downForMs / 1000)} s (last: ${describeCallError(cause)})`,
    );
  }
}

export class EndpointHealth {
  private downSince: number | undefined;
  /** when the first failure came back: calls sent before it are the outage's echo */
  private markedDownAt = 0;
  private failedProbes = 0;
  private nextProbeAt = 0;
  private probeInFlight = false;
  private lastCause: unknown;
  /** calls sent while the endpoint was down */
  probes = 0;

  constructor(readonly o: EndpointHealthOptions) {}

  get down(): boolean {
    return this.downSince !== undefined;
  }

  /** How long the endpoint has not answered (0 while up). */
  downForMs(now: number): number {
    return this.downSince === undefined ? 0 : Math.max(0, now - this.downSince);
  }

  /** May a writer send a call now? Always while up; while down, one probe when it is due. */
  maySend(now: number): boolean {
    return !this.down || (!this.probeInFlight && now >= this.nextProbeAt);
  }

  /** A writer sends a call: while down, it is the probe. */
  sending(): void {
    if (!this.down) return;
    this.probeInFlight = true;
    this.probes++;
  }

  /** When a waiting writer should look again (ms). */
  waitMs(now: number): number {
    if (!this.down) return 0;
    // A probe in flight ends in another writer's call: look again at the pace of the first probe.
    if (this.probeInFlight) return this.o.probeBaseMs;
    return Math.max(0, this.nextProbeAt - now);
  }

  /** The endpoint answered a call (any answer, a throttle included). */
  answered(): void {
    this.downSince = undefined;
    this.failedProbes = 0;
    this.probeInFlight = false;
  }

  /**
   * A call sent at `sentAt` got no usable answer. Calls sent before the
   * endpoint was marked down are that outage's echo and change nothing; a
   * call sent after is a failed probe and doubles the wait.
   */
  unreachable(cause: unknown, sentAt: number, now: number): void {
    this.lastCause = cause;
    if (this.downSince === undefined) {
      this.downSince = sentAt;
      this.markedDownAt = now;
      this.failedProbes = 0;
      this.nextProbeAt = now + this.o.probeBaseMs;
      return;
    }
    if (sentAt < this.markedDownAt) return;
    this.probeInFlight = false;
    this.failedProbes++;
    this.nextProbeAt =
      now + Math.min(this.o.probeCapMs, this.o.probeBaseMs * 2 ** this.failedProbes);
  }

  /** The run's end when nothing answered for giveUpAfterMs, else undefined. */
  gaveUp(now: number): EndpointDownError | undefined {
    const down = this.downForMs(now);
    if (this.down && down >= this.o.giveUpAfterMs)
      return new EndpointDownError(down, this.lastCause);
    return undefined;
  }
}
