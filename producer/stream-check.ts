/**
 * Before producing: does the endpoint answer, and does the stream exist?
 * Both answered as one-line messages that say how to fix it.
 */
import { CommandError } from '../tools/cli-kit/errors';
import { DescribeStreamSummaryCommand, type KinesisClient } from '@aws-sdk/client-kinesis';

/** The spike cannot run for a reason the user can fix: one line, exit 1. */
export class SpikeError extends CommandError {}

const CONNECTION_CODES = /^(ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENOTFOUND|EAI_AGAIN)$/;

export function isConnectionError(err: unknown): boolean {
  const e = err as { code?: string; cause?: { code?: string }; errors?: Array<{ code?: string }> };
  const codes = [e?.code, e?.cause?.code, ...(e?.errors ?? []).map((x) => x.code)];
  return codes.some((c) => typeof c === 'string' && CONNECTION_CODES.test(c));
}

export const noEndpointMessage = (endpoint: string) =>
  `no local cloud at ${endpoint} — start it with \`npm run local\` (or set AWS_ENDPOINT_URL)`;
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
    if (isConnectionError(err)) throw new SpikeError(noEndpointMessage(endpoint));
    throw err;
  }
}
