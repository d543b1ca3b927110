/**
 * A loopback HTTP proxy in front of the cloud's DynamoDB, for the chaos
 * suite: the stack's functions are pointed at it (AWS_ENDPOINT_URL_DYNAMODB
 * in their environment, which SDK v3 prefers to AWS_ENDPOINT_URL), and it
 * passes calls through or breaks them as the current fault says:
 * - `outage`: every call fails, half by a reset connection, half by a 500
 *   InternalServerError, as a service that is down;
 * - `crash`: calls reach DynamoDB, but the answer to one in two is lost
 *   (the connection reset after the write was applied): the invocation
 *   fails mid-batch with part of its writes done, as one killed mid-batch;
 * - `throttle`: every call answers ProvisionedThroughputExceededException.
 */
import { Agent, createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ProxyMode = 'pass' | 'outage' | 'crash' | 'throttle';

export interface DynamoFaultProxy {
  url: string;
  mode: ProxyMode;
  /** where calls go from now on (the cloud's edge; known once it has started) */
  retarget(endpoint: string): void;
  /** resolves at the first call */
  readonly firstCall: Promise<void>;
  /** calls seen, and calls broken, since the start */
  readonly calls: number;
  readonly broken: number;
  close(): Promise<void>;
}

const JSON_TYPE = 'application/x-amz-json-1.0';

function awsError(res: ServerResponse, status: number, type: string, message: string): void {
  const body = JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${type}`, message });
  res.writeHead(status, {
    'Content-Type': JSON_TYPE,
    'Content-Length': Buffer.byteLength(body),
    'x-amzn-RequestId': `chaos-${Date.now()}`,
  });
  res.end(body);
}

export async function startDynamoFaultProxy(): Promise<DynamoFaultProxy> {
  let upstream: URL | undefined;
  const agent = new Agent({ keepAlive: true });
  let calls = 0;
  let broken = 0;
  let first!: () => void;
  const firstCall = new Promise<void>((r) => (first = r));
  const proxy = {
    url: '',
    mode: 'pass' as ProxyMode,
    firstCall,
    get calls() {
      return calls;
    },
    get broken() {
      return broken;
    },
    close: async () => {},
    retarget(endpoint: string) {
      upstream = new URL(endpoint);
    },
  };
  const forward = (req: IncomingMessage, res: ServerResponse, loseAnswer: boolean) => {
    if (!upstream) return req.socket.destroy();
    const out = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        // The edge answers only requests addressed to it (its DNS-rebinding guard).
        headers: { ...req.headers, host: upstream.host },
        agent,
      },
      (answer) => {
        if (loseAnswer) {
          // Applied upstream, never acknowledged: the caller sees a reset connection.
          answer.resume();
          answer.on('end', () => req.socket.destroy());
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on('error', () => req.socket.destroy());
    req.pipe(out);
  };
  const server = createServer((req, res) => {
    if (calls++ === 0) first();
    const mode = proxy.mode;
    if (mode === 'pass') return forward(req, res, false);
    broken++;
    if (mode === 'crash') return forward(req, res, calls % 2 === 0);
    req.resume();
    if (mode === 'throttle')
      return awsError(
        res,
        400,
        'ProvisionedThroughputExceededException',
        'chaos: the level of configured provisioned throughput for the table was exceeded',
      );
    if (calls % 2 === 0) return req.socket.destroy();
    awsError(res, 500, 'InternalServerError', 'chaos: DynamoDB is down');
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = () =>
    new Promise<void>((done) => {
      agent.destroy();
      server.closeAllConnections();
      server.close(() => done());
    });
  return proxy;
}
