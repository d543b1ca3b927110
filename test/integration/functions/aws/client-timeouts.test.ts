/**
 * Every client gives up in bounded time and names the endpoint: against an
 * endpoint that accepts and never answers, one that drips HTTP/1.1 headers
 * and one that drips a body, each call fails with a TimeoutError saying
 * which endpoint did not answer within which timeout — Kinesis over HTTP/2,
 * the others over HTTP/1.1. On the old clients (no timeouts) each call
 * waits forever. A normal answer is unaffected.
 */
import { createServer as createHttpServer } from 'node:http';
import { ListDashboardsCommand } from '@aws-sdk/client-cloudwatch';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cloudWatchClient,
  dynamoClient,
  kinesisClient,
  type ClientOptions,
} from '../../../../functions/aws/clients';
import { ClientTimeoutError } from '../../../../functions/aws/deadline-handler';
import { fromEnv } from '../../../../functions/config';
import { stallingEndpoint, type StallingEndpoint } from '../../../support/stalling-endpoints';

const timeouts = { connectTimeoutMs: 500, requestTimeoutMs: 1_000 };
/** The test's own bound: one attempt's deadline, with room for a busy machine. */
const BOUND_MS = (timeouts.connectTimeoutMs + timeouts.requestTimeoutMs) * 10;

const calls = {
  dynamodb: (o: ClientOptions) => dynamoClient(o).send(new ListTablesCommand({})),
  cloudwatch: (o: ClientOptions) => cloudWatchClient(o).send(new ListDashboardsCommand({})),
  kinesis: (o: ClientOptions) => kinesisClient(o).send(new ListStreamsCommand({})),
};

beforeAll(() => {
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
});

describe.each(['silent', 'slow-headers', 'slow-body'] as const)(
  'an endpoint that is %s',
  (kind) => {
    let endpoint: StallingEndpoint;
    beforeAll(async () => {
      endpoint = await stallingEndpoint(kind);
    });
    afterAll(() => endpoint.close());

    it.each(['dynamodb', 'cloudwatch'] as const)(
      '%s (HTTP/1.1) fails with a timeout naming the endpoint',
      { timeout: BOUND_MS },
      async (service) => {
        const err = await calls[service]({
          endpoint: endpoint.url,
          region: 'us-east-1',
          maxAttempts: 1,
          timeouts,
        }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ClientTimeoutError);
        expect((err as Error).name).toBe('TimeoutError');
        expect((err as Error).message).toMatch(
          new RegExp(`^no answer from ${endpoint.url} within 1 s \\(request timeout\\)`),
        );
      },
    );

    it(
      'kinesis (HTTP/2) fails at once or with a timeout naming the endpoint',
      { timeout: BOUND_MS },
      async () => {
        const err = await calls
          .kinesis({ endpoint: endpoint.url, region: 'us-east-1', maxAttempts: 1, timeouts })
          .catch((e: unknown) => e);
        expect(err).toBeInstanceOf(Error);
        const timedOut = `no answer from ${endpoint.url} within 1 s (request timeout)`;
        if (kind === 'silent') expect((err as Error).message).toBe(timedOut);
        // HTTP/1.1 bytes where HTTP/2 frames belong end the session (a protocol error) as soon as
        // they arrive; on a busy machine the dripped bytes can come after the deadline, and then
        // the deadline's error is the answer. Either way the call ends, bounded.
        else if ((err as { code?: string }).code !== 'ERR_HTTP2_ERROR')
          expect((err as Error).message).toBe(timedOut);
      },
    );
  },
);

describe('timeouts are configuration', () => {
  it(
    'default to config.clients, which STREAMSCALE_CONFIG overrides',
    { timeout: BOUND_MS },
    async () => {
      const endpoint = await stallingEndpoint('silent');
      process.env.STREAMSCALE_CONFIG = JSON.stringify({ clients: { requestTimeoutMs: 700 } });
      try {
        expect(fromEnv().clients.requestTimeoutMs).toBe(700);
        const err = await calls
          .dynamodb({ endpoint: endpoint.url, region: 'us-east-1', maxAttempts: 1 })
          .catch((e: unknown) => e);
        expect((err as Error).message).toMatch(/within 700 ms \(request timeout\)/);
      } finally {
        delete process.env.STREAMSCALE_CONFIG;
        await endpoint.close();
      }
    },
  );

  it(
    'retries a timed-out attempt as the SDK retries transient failures',
    { timeout: BOUND_MS * 3 },
    async () => {
      const endpoint = await stallingEndpoint('silent');
      try {
        const err = await calls
          .dynamodb({ endpoint: endpoint.url, region: 'us-east-1', maxAttempts: 2, timeouts })
          .catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ClientTimeoutError);
        expect(endpoint.connections).toBe(2);
      } finally {
        await endpoint.close();
      }
    },
  );
});

describe('a prompt answer', () => {
  it('is read whole, the deadline cleared', async () => {
    const server = createHttpServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(JSON.stringify({ TableNames: ['a', 'b'] }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      const client = dynamoClient({ endpoint: url, region: 'us-east-1', maxAttempts: 1, timeouts });
      expect((await client.send(new ListTablesCommand({}))).TableNames).toEqual(['a', 'b']);
      client.destroy();
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

describe('an endpoint that resets the connection', () => {
  it(
    'fails at once with a reset naming the endpoint, not a timeout',
    { timeout: BOUND_MS },
    async () => {
      // Found by the chaos suite: its outages reset connections and the functions logged
      // "no answer from <proxy> within 30 s (request timeout)" for calls that failed at once.
      const server = createHttpServer((req) => req.socket.destroy());
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      try {
        const err = await calls
          .dynamodb({ endpoint: url, region: 'us-east-1', maxAttempts: 1, timeouts })
          .catch((e: unknown) => e);
        expect(err).not.toBeInstanceOf(ClientTimeoutError);
        expect((err as Error).message).toBe(
          `connection to ${url} closed before an answer (ECONNRESET)`,
        );
        // still retried by the SDK as a transient failure
        expect((err as Error).name).toBe('TimeoutError');
      } finally {
        server.closeAllConnections();
        await new Promise<void>((r) => server.close(() => r()));
      }
    },
  );
});
