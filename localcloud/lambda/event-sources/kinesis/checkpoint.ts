/**
 * A shard's checkpoint with lanes: records complete out of order across
 * lanes, so the checkpoint is the lowest sequence number not yet done (a
 * restart from it replays nothing done out of order... except what a later
 * lane already finished, which is at-least-once, as on AWS).
 */
export class ShardCheckpoint {
  /** sequence numbers in shard order, not yet done */
  private readonly order: string[] = [];
  private head = 0;
  private readonly done = new Set<string>();
  /** highest sequence number taken in */
  lastTaken: string | undefined;

  take(sequenceNumbers: readonly string[]): void {
    for (const s of sequenceNumbers) this.order.push(s);
    if (sequenceNumbers.length > 0) this.lastTaken = sequenceNumbers[sequenceNumbers.length - 1];
  }

  markDone(sequenceNumbers: readonly string[]): void {
    for (const s of sequenceNumbers) this.done.add(s);
    while (this.head < this.order.length && this.done.has(this.order[this.head]!)) {
      this.done.delete(this.order[this.head]!);
      this.head++;
    }
    if (this.head > 4096 && this.head * 2 > this.order.length) {
      this.order.splice(0, this.head);
      this.head = 0;
    }
  }

  /** Lowest sequence number taken in and not yet done; undefined when everything taken is done. */
  get lowestPending(): string | undefined {
    return this.head < this.order.length ? this.order[this.head] : undefined;
  }

  /** Records done past the lowest pending one (a later lane finished them first). */
  doneAhead(): string[] {
    return [...this.done];
  }

  get pendingCount(): number {
    return this.order.length - this.head;
  }
}
