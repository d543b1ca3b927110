/**
 * A deadline for one attempt of an SDK call, from sending the request to the
 * last byte of the answer, around the SDK's own HTTP handler. The SDK's
 * handlers bound only parts of a call: HTTP/1.1's requestTimeout stops at
 * the response headers (a body that trickles in is never cut), HTTP/2's is
 * an idle timer, and neither bounds an endpoint that accepted the connection
 * and then says nothing at all in a way the caller can name. When the
 * deadline passes, the request is aborted (its socket or HTTP/2 stream
 * closed) and the call fails with a TimeoutError that names the endpoint;
 * the SDK retries a TimeoutError like any transient failure.
 */
import type { NodeHttp2Handler, NodeHttpHandler } from '@smithy/node-http-handler';

type Inner = NodeHttpHandler | NodeHttp2Handler;
type Request = Parameters<Inner['handle']>[0];
type Options = NonNullable<Parameters<Inner['handle']>[1]>;
type Output = Awaited<ReturnType<Inner['handle']>>;

/** An attempt that outlived a timeout: no connection, or no (complete) answer. */
export class ClientTimeoutError extends Error {
  override name = 'TimeoutError';
  readonly code = 'ETIMEDOUT';
  constructor(
    readonly endpoint: string,
    readonly phase: 'connect' | 'request',
    readonly timeoutMs: number,
  ) {
    const what =
      phase === 'connect'
        ? `no connection to ${endpoint} within ${formatMs(timeoutMs)} (connect timeout)`
        : `no answer from ${endpoint} within ${formatMs(timeoutMs)} (request timeout)`;
    super(what);
    this.what = what;
  }

  /** The message as made: the SDK appends lines to `message` when a body fails mid-read. */
  readonly what: string;
}

export interface DeadlineTimeouts {
  requestTimeoutMs: number;
  /** When the inner handler has its own connect timeout (HTTP/1.1): the deadline adds it. */
  connectTimeoutMs?: number;
}

const formatMs = (ms: number) => (ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`);

/** scheme://host:port of a request, as a user would write the endpoint. */
export function endpointOf(r: Pick<Request, 'protocol' | 'hostname' | 'port'>): string {
  return `${r.protocol}//${r.hostname}${r.port ? `:${r.port}` : ''}`;
}

interface Destroyable {
  destroy(err?: Error): void;
  once(event: 'close', listener: () => void): unknown;
}

const isStream = (b: unknown): b is Destroyable =>
  typeof (b as Destroyable | undefined)?.destroy === 'function' &&
  typeof (b as Destroyable | undefined)?.once === 'function';

export class DeadlineHandler {
  readonly metadata: Inner['metadata'];

  private readonly deadlineMs: number;

  constructor(
    private readonly inner: Inner,
    private readonly t: DeadlineTimeouts,
  ) {
    this.metadata = inner.metadata;
    this.deadlineMs = t.requestTimeoutMs + (t.connectTimeoutMs ?? 0);
  }

  async handle(request: Request, options: Options = {}): Promise<Output> {
    const deadline = new AbortController();
    const outer = options.abortSignal as AbortSignal | undefined;
    if (outer?.aborted) return this.inner.handle(request, options);
    const onOuterAbort = () => deadline.abort(outer?.reason);
    outer?.addEventListener('abort', onOuterAbort, { once: true });
    let body: Destroyable | undefined;
    const endpoint = endpointOf(request);
    const expired = new ClientTimeoutError(endpoint, 'request', this.t.requestTimeoutMs);
    const timer = setTimeout(() => {
      deadline.abort(expired);
      // Past the headers, the answer's stream is what the SDK is reading: fail it with the reason.
      body?.destroy(expired);
    }, this.deadlineMs);
    const done = () => {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onOuterAbort);
    };
    try {
      const out = await this.inner.handle(request, { ...options, abortSignal: deadline.signal });
      const b: unknown = out.response.body;
      if (isStream(b)) {
        body = b;
        b.once('close', done);
      } else done();
      return out;
    } catch (err) {
      done();
      throw deadline.signal.reason === expired ? expired : this.named(err, endpoint);
    }
  }

  /** The inner handler's own timeouts, reworded to name the endpoint (same name and code). */
  private named(err: unknown, endpoint: string): unknown {
    if ((err as { name?: string })?.name !== 'TimeoutError' || err instanceof ClientTimeoutError)
      return err;
    // The SDK names a reset connection TimeoutError too (so it is retried as transient): it is
    // no timeout, and saying "no answer within 30 s" of a call that failed at once misleads.
    const code = (err as { code?: string }).code;
    if (code === 'ECONNRESET' || code === 'EPIPE') {
      (err as Error).message = `connection to ${endpoint} closed before an answer (${code})`;
      return err;
    }
    const connect = /establish a connection/.test((err as Error).message);
    if (connect && this.t.connectTimeoutMs !== undefined)
      return new ClientTimeoutError(endpoint, 'connect', this.t.connectTimeoutMs);
    return new ClientTimeoutError(endpoint, 'request', this.t.requestTimeoutMs);
  }

  updateHttpClientConfig(key: string, value: unknown): void {
    (this.inner as { updateHttpClientConfig(k: string, v: unknown): void }).updateHttpClientConfig(
      key,
      value,
    );
  }

  httpHandlerConfigs(): ReturnType<Inner['httpHandlerConfigs']> {
    return this.inner.httpHandlerConfigs();
  }

  destroy(): void {
    this.inner.destroy();
  }
}
