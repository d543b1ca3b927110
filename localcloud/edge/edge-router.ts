/**
 * What the edge does with one request, the same for HTTP/1.1 and HTTP/2:
 * refuse foreign callers (request-guard.ts) before reading anything, read
 * the body within bounds (body-reader.ts), refuse calls without AWS
 * credentials, then hand the request to the EdgeService serving its SigV4
 * signing name (route-request.ts). What no service serves gets an
 * AWS-shaped error naming the service and operation; a failing service gets
 * a 500 with its message, never a crashed process.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { EDGE_LIMITS } from '../config';
import type { EdgeRequest, EdgeResponse, EdgeService } from '../contracts';
import { sendAwsError, unimplementedMessage } from './aws-errors';
import { readBody } from './body-reader';
import {
  corsHeaders,
  header,
  refuseCaller,
  refuseUnsigned,
  type GuardPolicy,
  type Refusal,
} from './request-guard';
import { isFormEncoded, routeRequest } from './route-request';

const HEALTH_PATHS = new Set(['/_localstack/health', '/_streamscale/health']);

/** A request as either HTTP server delivers it: a readable body with its head. */
export interface IncomingEdgeRequest extends Readable {
  method?: string;
  url?: string;
  headers: IncomingHttpHeaders;
  rawHeaders: string[];
  /** HTTP/2 only: the :authority pseudo-header. */
  authority?: string;
}

export class EdgeRouter {
  private readonly services = new Map<string, EdgeService>();

  constructor(
    private readonly policy: () => GuardPolicy,
    private readonly log: (line: string) => void,
  ) {}

  addService(service: EdgeService): void {
    for (const name of service.signingNames) this.services.set(name, service);
  }

  get serviceNames(): string[] {
    return [...this.services.keys()].sort();
  }

  /** Never rejects: every failure becomes an AWS-shaped answer. */
  async dispatch(incoming: IncomingEdgeRequest, res: EdgeResponse): Promise<void> {
    const req = normalise(incoming);
    try {
      await this.answer(incoming, req, res);
    } catch (err) {
      this.log(
        `request failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
      );
      sendAwsError(res, 'json', {
        code: 'InternalFailure',
        message: String(err instanceof Error ? err.message : err),
        status: 500,
      });
    }
  }

  private async answer(
    incoming: IncomingEdgeRequest,
    req: EdgeRequest,
    res: EdgeResponse,
  ): Promise<void> {
    const query = isFormEncoded(header(req, 'content-type')) || (req.url ?? '').includes('Action=');
    const refuse = (r: Refusal) => {
      incoming.resume();
      sendAwsError(res, query ? 'query' : 'json', {
        code: r.code,
        queryCode: r.queryCode,
        message: r.message,
        status: r.status,
      });
    };
    const headerCount = incoming.rawHeaders.length / 2;
    if (headerCount > EDGE_LIMITS.maxHeaderCount) {
      return refuse({
        status: 400,
        code: 'RequestHeaderFieldsTooLargeException',
        queryCode: 'RequestHeaderFieldsTooLarge',
        message: `the request carries ${headerCount} header fields; at most ${EDGE_LIMITS.maxHeaderCount} are accepted`,
      });
    }
    const refusal = refuseCaller(req, this.policy());
    if (refusal) return refuse(refusal);
    for (const [k, v] of Object.entries(corsHeaders(req, false))) res.setHeader(k, v);
    if (req.method === 'OPTIONS' && header(req, 'access-control-request-method') !== undefined) {
      res.writeHead(200, corsHeaders(req, true));
      res.end();
      return;
    }
    const path = (req.url ?? '/').split('?')[0]!;
    if ((req.method === 'GET' || req.method === 'HEAD') && HEALTH_PATHS.has(path)) {
      return this.health(res);
    }
    const read = await readBody(incoming, req.headers, EDGE_LIMITS);
    if (!read.ok) return refuse({ ...read, queryCode: read.code });
    const unsigned = refuseUnsigned(req, query ? read.body.toString('utf8') : undefined);
    if (unsigned) return refuse(unsigned);
    await this.route(req, read.body, res);
  }

  private async route(req: EdgeRequest, body: Buffer, res: EdgeResponse): Promise<void> {
    const url = req.url ?? '/';
    const route = routeRequest(req.method ?? 'GET', url, req.headers, body);
    const service = route.service ? this.services.get(route.service) : undefined;
    if (service) return service.handle(req, body, res);
    const what = route.service ?? 'an unknown service';
    sendAwsError(res, route.protocol === 'query' ? 'query' : 'json', {
      code: route.operation ? 'UnknownOperationException' : 'UnrecognizedClientException',
      message: route.operation
        ? unimplementedMessage(what, route.operation)
        : `streamscale local cloud cannot tell which service ${req.method} ${url} is for (no SigV4 credential scope, X-Amz-Target or Action=); serves: ${this.serviceNames.join(', ')}`,
      status: 400,
    });
  }

  private health(res: EdgeResponse): void {
    const services = Object.fromEntries(this.serviceNames.map((n) => [n, 'running']));
    // Says what it is, so tools that want LocalStack itself (deploy:localstack) can tell.
    const text = JSON.stringify({ services, edition: 'streamscale-localcloud' });
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
    });
    res.end(text);
  }
}

/** Lower-case headers without HTTP/2 pseudo-headers; `host` from :authority. */
function normalise(incoming: IncomingEdgeRequest): EdgeRequest {
  const headers: IncomingHttpHeaders = {};
  for (const [k, v] of Object.entries(incoming.headers)) if (k[0] !== ':') headers[k] = v;
  if (headers.host === undefined && incoming.authority) headers.host = incoming.authority;
  return { method: incoming.method, url: incoming.url, headers };
}
