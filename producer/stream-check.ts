/**
 * Before producing: does the endpoint answer, and does the stream exist?
 * After: why a run ended early. Each answered as one line that names the
 * endpoint and says how to fix it.
 */
import { DescribeStreamSummaryCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { CommandError } from '../tools/cli-kit/errors';
import { describeCloudError } from '../tools/query/endpoint-errors';
import { describeCallError } from './call-errors';
import { EndpointDownError } from './endpoint-health';

/** The spike cannot run for a reason the user can fix: one line, exit 1. */
export class SpikeError extends CommandError {}

export const noStreamMessage = (stream: string) =>
  `stream ${stream} not found — deploy with \`npm run deploy:local\``;

/** Open shard count of the stream; throws SpikeError with a fix when it cannot be reached. */
export async function checkStream(
  client: KinesisClient,
  stream: string,
  endpoint: string,
): Promise<number> {
  try {
    const out = await client.send(new DescribeStreamSummaryCommand({ StreamName: stream }));
    return out.StreamDescriptionSummary?.OpenShardCount ?? 0;
  } catch (err) {
    if ((err as { name?: string }).name === 'ResourceNotFoundException')
      throw new SpikeError(noStreamMessage(stream));
    throw new SpikeError(
      describeCloudError(err, { endpoint, resource: `stream ${stream}` }) ??
        `${endpoint} answered DescribeStreamSummary with ${describeCallError(err)}`,
    );
  }
}

/** Why a run stopped before its plan's end, with what it leaves unsent. */
export function runFailureMessage(
  error: unknown,
  o: { endpoint: string; stream: string; neverSent: number },
): string {
  const lost = `${o.neverSent.toLocaleString('en-US')} record${o.neverSent === 1 ? '' : 's'} never sent`;
  if (error instanceof EndpointDownError)
    return `${o.endpoint} stopped answering: ${error.message} — ${lost}`;
  if ((error as { name?: string } | undefined)?.name === 'ResourceNotFoundException')
    return `${noStreamMessage(o.stream)} (it went away during the run) — ${lost}`;
  const described = describeCloudError(error, {
    endpoint: o.endpoint,
    resource: `stream ${o.stream}`,
  });
  return `${described ?? `a PutRecords call failed for good: ${describeCallError(error)}`} — ${lost}`;
}

/** The stream took too long to accept what was left after the plan. */
export const drainTimeoutMessage = (o: { stream: string; neverSent: number }) =>
  `${o.neverSent.toLocaleString('en-US')} record${o.neverSent === 1 ? '' : 's'} never sent: ${o.stream} did not take them within the drain time`;
