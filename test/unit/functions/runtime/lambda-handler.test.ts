/**
 * The one handler runtime: dependencies built once per execution
 * environment, and every log line carrying the invocation's request id and
 * the cold-start flag (the Powertools logger is given the Lambda context).
 */
import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { lambdaHandler } from '../../../../functions/runtime/lambda-handler';

const context = (awsRequestId: string): Context =>
  ({
    awsRequestId,
    functionName: 'streamscale-consumer',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:streamscale-consumer',
    memoryLimitInMB: '512',
    getRemainingTimeInMillis: () => 60_000,
  }) as unknown as Context;

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

/** Log lines (JSON) printed while `fn` runs. */
async function logged(fn: () => Promise<unknown>): Promise<Array<Record<string, unknown>>> {
  const lines: string[] = [];
  const write = (chunk: unknown) => {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(write as typeof process.stdout.write);
  for (const level of ['log', 'info', 'warn', 'error'] as const)
    vi.spyOn(console, level).mockImplementation((...a: unknown[]) => void write(a.join(' ')));
  await fn();
  vi.restoreAllMocks();
  return lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
}

describe('lambda handler runtime', () => {
  it('builds dependencies once and logs every line with request id and cold start', async () => {
    vi.stubEnv('AWS_LAMBDA_INITIALIZATION_TYPE', 'on-demand'); // as Lambda sets it
    const init = vi.fn(() => ({ answer: 42 }));
    const handler = lambdaHandler('streamscale-test', init, async ({ deps, logger }, n: number) => {
      logger.info('working', { n });
      return deps.answer + n;
    });
    const first = await logged(async () => expect(await handler(1, context('req-1'))).toBe(43));
    const second = await logged(async () => expect(await handler(2, context('req-2'))).toBe(44));
    expect(init).toHaveBeenCalledTimes(1);
    expect(first).toEqual([
      expect.objectContaining({
        message: 'working',
        function_request_id: 'req-1',
        cold_start: true,
        service: 'streamscale-test',
      }),
    ]);
    expect(second).toEqual([
      expect.objectContaining({ function_request_id: 'req-2', cold_start: false }),
    ]);
  });
});
