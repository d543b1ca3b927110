/**
 * The one loopback endpoint, HTTP/1.1 and cleartext HTTP/2 (prior
 * knowledge) on the same port: each new connection's first bytes say which
 * (protocol-sniff.ts), and the socket goes to a node:http or node:http2
 * server. Both hand every request to the same EdgeRouter, so every service
 * answers both protocols alike.
 */
import { createServer as createHttp1Server, type Server as Http1Server } from 'node:http';
import {
  createServer as createHttp2Server,
  type Http2Server,
  type Http2ServerRequest,
  type Http2ServerResponse,
} from 'node:http2';
import {
  createServer as createTcpServer,
  type AddressInfo,
  type Server as TcpServer,
  type Socket,
} from 'node:net';
import { EDGE_LIMITS } from '../config';
import type { EdgeService } from '../contracts';
import { awsErrorBody } from './aws-errors';
import { EdgeRouter, type IncomingEdgeRequest } from './edge-router';
import { sniffConnection } from './protocol-sniff';

export interface EdgeServerOptions {
  host: string;
  /** 0 = a free port */
  port: number;
  /** Web origins allowed to call the edge (exact `scheme://host:port`), or '*'. Default: none. */
  allowOrigins?: readonly string[] | '*';
  log: (line: string) => void;
}

export class EdgeServer {
  private readonly router: EdgeRouter;
  private readonly tcp: TcpServer;
  private readonly http1: Http1Server;
  private readonly http2: Http2Server;
  private readonly sockets = new Set<Socket>();
  private port = 0;

  constructor(private readonly opts: EdgeServerOptions) {
    const origins = opts.allowOrigins ?? [];
    const allowedOrigins = origins === '*' ? '*' : new Set(origins);
    this.router = new EdgeRouter(() => ({ allowedOrigins, port: this.port }), opts.log);
    this.http1 = createHttp1Server(
      { maxHeaderSize: EDGE_LIMITS.maxHeaderBytes },
      (req, res) => void this.router.dispatch(req, res),
    );
    // one more than allowed, so the router sees "too many" and answers it
    this.http1.maxHeadersCount = EDGE_LIMITS.maxHeaderCount + 1;
    this.http1.keepAliveTimeout = EDGE_LIMITS.idleTimeoutMs;
    this.http1.headersTimeout = EDGE_LIMITS.idleTimeoutMs + 1000;
    this.http1.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) =>
      answerClientError(err, socket),
    );
    this.http2 = createHttp2Server(
      {
        maxHeaderListPairs: EDGE_LIMITS.maxHeaderCount * 4,
        settings: {
          maxHeaderListSize: EDGE_LIMITS.maxHeaderBytes,
          initialWindowSize: EDGE_LIMITS.http2StreamWindowBytes,
        },
      },
      (req: Http2ServerRequest, res: Http2ServerResponse) =>
        void this.router.dispatch(req as unknown as IncomingEdgeRequest, res),
    );
    this.http2.setTimeout(EDGE_LIMITS.idleTimeoutMs);
    // HTTP/2's default 64 KiB windows would stall a 200 KiB PutRecords body for window updates
    this.http2.on('session', (session) =>
      session.on('connect', () => session.setLocalWindowSize(EDGE_LIMITS.http2SessionWindowBytes)),
    );
    this.http2.on('sessionError', () => {}); // the session is gone; its streams already failed
    this.tcp = createTcpServer((socket) => this.accept(socket));
  }

  addService(service: EdgeService): void {
    this.router.addService(service);
  }

  get serviceNames(): string[] {
    return this.router.serviceNames;
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
      this.tcp.once('error', onError);
      this.tcp.listen(this.opts.port, this.opts.host, () => {
        this.tcp.off('error', onError);
        this.port = (this.tcp.address() as AddressInfo).port;
        resolve(this.endpoint);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.tcp.close(() => resolve());
      for (const s of this.sockets) s.destroy();
    });
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy()); // a peer reset: nothing to answer
    sniffConnection(socket, EDGE_LIMITS.firstBytesTimeoutMs, (version) => {
      if (version === 'h2') {
        this.http2.emit('connection', socket);
      } else {
        this.http1.emit('connection', socket);
        // node:http reads the socket's handle directly; resuming replays the sniffed bytes to it
        socket.resume();
      }
    });
  }
}

/** A request node:http cannot parse (a header block over the limit, say): an AWS-shaped answer, then close. */
function answerClientError(err: NodeJS.ErrnoException, socket: Socket): void {
  if (!socket.writable) return void socket.destroy();
  const overflow = err.code === 'HPE_HEADER_OVERFLOW';
  const status = overflow ? 431 : 400;
  const code = overflow ? 'RequestHeaderFieldsTooLargeException' : 'SerializationException';
  const body = awsErrorBody(
    code,
    overflow
      ? `the request's header section is larger than ${EDGE_LIMITS.maxHeaderBytes} bytes`
      : `the request is not valid HTTP/1.1 (${err.code ?? err.message})`,
  );
  socket.end(
    `HTTP/1.1 ${status} ${overflow ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n` +
      `Content-Type: application/x-amz-json-1.1\r\nx-amzn-ErrorType: ${code}\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
