/**
 * An event source's on-failure destination: the invocation record AWS sends
 * for a batch that was given up on goes to the SQS queue named by the
 * mapping's DestinationConfig, through the edge as Lambda's pollers do. No
 * destination, or an SNS topic (not emulated): the batch is logged and
 * dropped, with its range named.
 */
import { GetQueueUrlCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';

/** Sends a failed batch's record; a few quick attempts while the queue may be settling. */
const SEND_ATTEMPTS = 3;
const SEND_STEP_MS = 200;

export interface FailedBatch {
  functionName: string;
  destination: string | undefined;
  /** AWS's invocation record, sent as the message body */
  record: unknown;
  /** e.g. "shardId-000 49..51 (3 records)", for the log */
  range: string;
  condition: string;
}

export class FailureDestination {
  private closed = false;

  constructor(
    private readonly sqs: SQSClient,
    private readonly log: (line: string) => void,
  ) {}

  close(): void {
    this.closed = true;
  }

  /** After close, once nothing sends any more. */
  destroy(): void {
    this.sqs.destroy();
  }

  async send(b: FailedBatch): Promise<void> {
    if (!b.destination) {
      this.log(`${b.functionName}: dropped ${b.range}: ${b.condition}, no on-failure destination`);
      return;
    }
    const queue = /^arn:aws[a-z-]*:sqs:[^:]*:[^:]*:(.+)$/.exec(b.destination)?.[1];
    if (!queue) {
      this.log(
        `${b.functionName}: dropped ${b.range}: ${b.condition}; destination ${b.destination} is not an SQS queue (only SQS is emulated)`,
      );
      return;
    }
    for (let attempt = 1; ; attempt++) {
      try {
        const url = (await this.sqs.send(new GetQueueUrlCommand({ QueueName: queue }))).QueueUrl!;
        await this.sqs.send(
          new SendMessageCommand({ QueueUrl: url, MessageBody: JSON.stringify(b.record) }),
        );
        this.log(`${b.functionName}: ${b.range} sent to ${queue}: ${b.condition}`);
        return;
      } catch (err) {
        if (attempt >= SEND_ATTEMPTS || this.closed) {
          this.log(
            `${b.functionName}: dropped ${b.range}: could not send to ${queue}: ${(err as Error).message}`,
          );
          return;
        }
        await new Promise((r) => setTimeout(r, SEND_STEP_MS * attempt));
      }
    }
  }
}
