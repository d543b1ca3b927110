/**
 * The one loopback endpoint: reads each request whole, decides its service
 * (route-request.ts) and hands it to the EdgeService that serves that SigV4
 * signing name. Whatever no service serves gets an AWS-shaped error naming
 * the service and operation; a failing service gets a 500 with its message,
 * never a crashed process.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync, inflateSync } from 'node:zlib';
import type { EdgeService } from '../contracts';
import { sendAwsError, unimplementedMessage } from './aws-errors';
import { routeRequest } from './route-request';

/** Largest request body accepted (Kinesis PutRecords is at most 5 MiB of data, base64-encoded). */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

export interface EdgeServerOptions {
  host: string;
  /** 0 = a free port */
  port: number;
  log: (line: string) => void;
}

export class EdgeServer {
  private readonly services = new Map<string, EdgeService>();
  private readonly server: Server;
  private port = 0;

  constructor(private readonly opts: EdgeServerOptions) {
    this.server = createServer((req, res) => {
      this.onRequest(req, res).catch((err: unknown) => {
        this.opts.log(
          `request failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
        );
        sendAwsError(res, 'json', {
          code: 'InternalFailure',
          message: String(err instanceof Error ? err.message : err),
          status: 500,
        });
      });
    });
    this.server.keepAliveTimeout = 65_000;
    this.server.headersTimeout = 66_000;
  }

  addService(service: EdgeService): void {
    for (const name of service.signingNames) this.services.set(name, service);
  }

  get serviceNames(): string[] {
    return [...this.services.keys()].sort();
  }

  get endpoint(): string {
    return `http://${this.opts.host}:${this.port}`;
  }

  listen(): Promise<string> {
    return new Promise((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException) => {
        if (err.code === 'EADDRINUSE') {
          reject(
            new Error(
              `port ${this.opts.port} on ${this.opts.host} is already in use (another local cloud or LocalStack?); stop it or choose another port (npm run local -- --port <n>)`,
            ),
          );
        } else if (err.code === 'EACCES') {
          reject(
            new Error(
              `not allowed to listen on ${this.opts.host}:${this.opts.port}; choose a port above 1023`,
            ),
          );
        } else reject(err);
      };
      this.server.once('error', onError);
      this.server.listen(this.opts.port, this.opts.host, () => {
        this.server.off('error', onError);
        this.port = (this.server.address() as AddressInfo).port;
        resolve(this.endpoint);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    if (raw === undefined) {
      sendAwsError(res, 'json', {
        code: 'RequestEntityTooLargeException',
        message: `request body larger than ${MAX_BODY_BYTES} bytes`,
        status: 413,
      });
      return;
    }
    const body = await decodeBody(req, raw);
    if (body === undefined) {
      sendAwsError(res, 'json', {
        code: 'SerializationException',
        message: `cannot decode a request body with Content-Encoding: ${String(req.headers['content-encoding'])}`,
        status: 400,
      });
      return;
    }
    const url = req.url ?? '/';
    if (req.method === 'GET' && (url === '/_localstack/health' || url === '/_streamscale/health')) {
      const services = Object.fromEntries(this.serviceNames.map((n) => [n, 'running']));
      const text = JSON.stringify({ services, edition: 'streamscale' });
      res.writeHead(200, {
        'Content-Type': 'application/json',
        'Content-Length': Buffer.byteLength(text),
      });
      res.end(text);
      return;
    }
    const route = routeRequest(req.method ?? 'GET', url, req.headers, body);
    const service = route.service ? this.services.get(route.service) : undefined;
    if (!service) {
      const what = route.service ?? 'an unknown service';
      sendAwsError(res, route.protocol === 'query' ? 'query' : 'json', {
        code: route.operation ? 'UnknownOperationException' : 'UnrecognizedClientException',
        message: route.operation
          ? unimplementedMessage(what, route.operation)
          : `streamscale local cloud cannot tell which service ${req.method} ${url} is for (no SigV4 credential scope, X-Amz-Target or Action=); serves: ${this.serviceNames.join(', ')}`,
        status: 400,
      });
      return;
    }
    await service.handle(req, body, res);
  }
}

/**
 * The SDKs gzip large bodies (CloudWatch PutMetricData over 10 KiB carries
 * Content-Encoding: gzip); services see plain bytes and no encoding header.
 */
async function decodeBody(req: IncomingMessage, raw: Buffer): Promise<Buffer | undefined> {
  const encoding = String(req.headers['content-encoding'] ?? '')
    .toLowerCase()
    .trim();
  // S3's aws-chunked framing is the S3 service's to decode.
  if (encoding === '' || encoding === 'identity' || encoding.includes('aws-chunked')) return raw;
  try {
    const plain =
      encoding === 'gzip' ? gunzipSync(raw) : encoding === 'deflate' ? inflateSync(raw) : undefined;
    if (plain === undefined) return undefined;
    delete req.headers['content-encoding'];
    req.headers['content-length'] = String(plain.length);
    return plain;
  } catch {
    return undefined;
  }
}

function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(c);
    });
    req.on('end', () => resolve(tooLarge ? undefined : Buffer.concat(chunks, size)));
    req.on('error', reject);
  });
}
