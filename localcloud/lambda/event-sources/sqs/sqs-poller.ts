/**
 * The running side of an SQS event source mapping, as Lambda's SQS pollers
 * behave: several concurrent pollers (five, as AWS starts with, or
 * ScalingConfig.MaximumConcurrency) long-poll the queue through the edge,
 * gather up to BatchSize messages or until the batching window closes, and
 * invoke the function. A success deletes the batch; a failure deletes
 * nothing, so the messages come back after the queue's visibility timeout
 * and, past the queue's maxReceiveCount, move to its dead-letter queue (the
 * queue's redrive policy). With ReportBatchItemFailures only the reported
 * messages stay. Messages that match no filter pattern are deleted unseen.
 */
import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { passesFilter } from '../filter/filter-criteria';
import type { MappingRunner, RunnerDeps } from '../source-kind';
import {
  failedMessageIds,
  sqsEventRecord,
  sqsFilterView,
  type QueueMessage,
  type SqsEventRecord,
} from './sqs-event';

/** AWS's pollers start with five concurrent batches. */
const DEFAULT_CONCURRENCY = 5;
/** ReceiveMessage returns at most 10 messages a call. */
const RECEIVE_MAX = 10;
/** Long poll, as Lambda's pollers do; a stop aborts it. */
const LONG_POLL_SECONDS = 20;

export interface SqsPollerDeps extends RunnerDeps {
  sqs: SQSClient;
  queueUrl: () => Promise<string>;
  region: string;
}

export class SqsPoller implements MappingRunner {
  private running = false;
  private readonly loops = new Set<Promise<void>>();
  private readonly aborts = new Set<AbortController>();
  private active = 0;

  constructor(private readonly d: SqsPollerDeps) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.fill();
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const a of this.aborts) a.abort();
    await Promise.allSettled([...this.loops]);
  }

  settingsChanged(): void {
    if (this.running) this.fill();
  }

  private concurrency(): number {
    return this.d.mapping().maximumConcurrency ?? DEFAULT_CONCURRENCY;
  }

  /** Start pollers up to the wanted concurrency (each ends itself when there are too many). */
  private fill(): void {
    while (this.active < this.concurrency()) {
      this.active++;
      const loop = this.loop().finally(() => {
        this.active--;
        this.loops.delete(loop);
      });
      this.loops.add(loop);
    }
  }

  private async loop(): Promise<void> {
    while (this.running && this.active <= this.concurrency()) {
      try {
        const batch = await this.gather();
        if (batch.length > 0) await this.process(batch);
      } catch (err) {
        if (!this.running) return;
        this.d.log(`SQS poll failed: ${(err as Error).message}; polling again`);
        await new Promise((r) => setTimeout(r, this.d.tunables.idlePollMs));
      }
    }
  }

  /** Up to BatchSize messages: one receive without a window, else until the window closes. */
  private async gather(): Promise<SqsEventRecord[]> {
    const m = this.d.mapping();
    const url = await this.d.queueUrl();
    const windowMs = m.maximumBatchingWindowInSeconds * 1000;
    const batch: SqsEventRecord[] = [];
    let deadline = Number.POSITIVE_INFINITY;
    while (this.running && batch.length < m.batchSize) {
      const wait = batch.length === 0 ? LONG_POLL_SECONDS : (deadline - Date.now()) / 1000;
      if (wait <= 0) break;
      const got = await this.receive(url, Math.min(RECEIVE_MAX, m.batchSize - batch.length), wait);
      if (got.length > 0 && batch.length === 0) deadline = Date.now() + windowMs;
      batch.push(
        ...got.map((x) => sqsEventRecord(toQueueMessage(x), m.eventSourceArn, this.d.region)),
      );
      if (windowMs === 0 && batch.length > 0) break;
    }
    return batch;
  }

  private async receive(url: string, max: number, waitSeconds: number): Promise<Message[]> {
    const abort = new AbortController();
    this.aborts.add(abort);
    try {
      const r = await this.d.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: url,
          MaxNumberOfMessages: max,
          WaitTimeSeconds: Math.max(0, Math.min(LONG_POLL_SECONDS, Math.ceil(waitSeconds))),
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
        { abortSignal: abort.signal },
      );
      return r.Messages ?? [];
    } finally {
      this.aborts.delete(abort);
    }
  }

  private async process(batch: SqsEventRecord[]): Promise<void> {
    const m = this.d.mapping();
    const kept: SqsEventRecord[] = [];
    const skipped: SqsEventRecord[] = [];
    for (const r of batch)
      (passesFilter(m.filterCriteria, sqsFilterView(r)) ? kept : skipped).push(r);
    if (skipped.length > 0) await this.delete(skipped);
    if (kept.length === 0) return;
    const out = await this.d.invoke({ Records: kept });
    if (!out.ok) return; // all come back after the visibility timeout
    let failed: Set<string> | 'all' = new Set();
    if (m.functionResponseTypes.includes('ReportBatchItemFailures')) {
      failed = failedMessageIds(
        parseOrUndefined(out.payload),
        kept.map((r) => r.messageId),
      );
      if (failed === 'all')
        this.d.log(
          `batch of ${kept.length}: the partial-batch response names no message of the batch; all are retried`,
        );
    }
    if (failed === 'all') return;
    const done = kept.filter((r) => !(failed as Set<string>).has(r.messageId));
    if (done.length > 0) await this.delete(done);
  }

  private async delete(records: SqsEventRecord[]): Promise<void> {
    const url = await this.d.queueUrl();
    for (let i = 0; i < records.length; i += RECEIVE_MAX) {
      const chunk = records.slice(i, i + RECEIVE_MAX);
      await this.d.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: url,
          Entries: chunk.map((r, j) => ({ Id: String(j), ReceiptHandle: r.receiptHandle })),
        }),
      );
    }
  }
}

function toQueueMessage(x: Message): QueueMessage {
  return {
    messageId: x.MessageId!,
    receiptHandle: x.ReceiptHandle!,
    body: x.Body ?? '',
    md5OfBody: x.MD5OfBody ?? '',
    attributes: (x.Attributes ?? {}) as Record<string, string>,
    ...(x.MessageAttributes ? { messageAttributes: x.MessageAttributes } : {}),
    ...(x.MD5OfMessageAttributes ? { md5OfMessageAttributes: x.MD5OfMessageAttributes } : {}),
  };
}

function parseOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
