/**
 * SQS as an event source: a mapping names a queue ARN; AWS's defaults and
 * checks (BatchSize 10; more than 10 needs a batching window; the queue's
 * visibility timeout must cover the function's timeout); its runner is an
 * SqsPoller reading the queue through the edge.
 */
import { GetQueueAttributesCommand, GetQueueUrlCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { invalidParameter } from '../../api/errors';
import type { FunctionDefinition } from '../../api/function-definition';
import type { MappingDefinition } from '../mapping-definition';
import type { EventSourceKind, MappingRunner, RunnerDeps } from '../source-kind';
import { SqsPoller } from './sqs-poller';

/** AWS's default and largest SQS batch sizes; above 10 a batching window is required. */
const DEFAULT_BATCH = 10;
const MAX_BATCH = 10_000;
const MAX_BATCH_WITHOUT_WINDOW = 10;

export function queueNameOf(arn: string): string | undefined {
  return /^arn:aws[a-z-]*:sqs:[^:]*:[^:]*:([^:/]+)$/.exec(arn)?.[1];
}

export class SqsSource implements EventSourceKind {
  readonly name = 'sqs' as const;

  constructor(
    private readonly sqs: SQSClient,
    private readonly region: string,
    private readonly lookup: (name: string) => FunctionDefinition | undefined,
  ) {}

  serves(arn: string): boolean {
    return queueNameOf(arn) !== undefined;
  }

  async prepare(_i: unknown, def: MappingDefinition): Promise<void> {
    def.batchSize = DEFAULT_BATCH;
    const url = await this.queueUrl(def.eventSourceArn);
    const attrs = await this.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['VisibilityTimeout'] }),
    );
    const visibility = Number(attrs.Attributes?.VisibilityTimeout ?? 30);
    const timeout = this.lookup(def.functionName)?.timeoutSec ?? 3;
    if (visibility < timeout)
      throw invalidParameter(
        `Queue visibility timeout: ${visibility} seconds is less than Function timeout: ${timeout} seconds`,
      );
  }

  check(def: MappingDefinition): void {
    if (def.batchSize > MAX_BATCH)
      throw invalidParameter(
        `BatchSize must be 1-${MAX_BATCH} for an SQS queue (got ${def.batchSize})`,
      );
    if (def.batchSize > MAX_BATCH_WITHOUT_WINDOW && def.maximumBatchingWindowInSeconds < 1)
      throw invalidParameter(
        'Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10',
      );
  }

  runner(deps: RunnerDeps): MappingRunner {
    let url: string | undefined;
    return new SqsPoller({
      ...deps,
      sqs: this.sqs,
      region: this.region,
      queueUrl: async () => (url ??= await this.queueUrl(deps.mapping().eventSourceArn)),
    });
  }

  close(): void {
    this.sqs.destroy();
  }

  private async queueUrl(arn: string): Promise<string> {
    try {
      const r = await this.sqs.send(new GetQueueUrlCommand({ QueueName: queueNameOf(arn)! }));
      return r.QueueUrl!;
    } catch (err) {
      const name = (err as { name?: string }).name ?? '';
      if (name.includes('NonExistentQueue') || name === 'QueueDoesNotExist')
        throw invalidParameter(`Queue not found: ${arn}`);
      throw err;
    }
  }
}
