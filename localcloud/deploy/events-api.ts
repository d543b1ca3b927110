/**
 * The few EventBridge calls deploy:local makes (PutRule, PutTargets,
 * RemoveTargets, DescribeRule, ListTargetsByRule), over the real wire
 * protocol: AWS JSON 1.1, `X-Amz-Target: AWSEvents.<Op>`, SigV4-signed for
 * service "events". The project has no EventBridge SDK client installed, and
 * these five calls do not justify adding one.
 */
import { createHash, createHmac } from 'node:crypto';

export class EventsApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = code;
  }
}

export interface EventsApiOptions {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

const sha256hex = (data: string) => createHash('sha256').update(data).digest('hex');
const hmac = (key: Buffer | string, data: string) =>
  createHmac('sha256', key).update(data).digest();

export class EventsApi {
  constructor(private readonly opts: EventsApiOptions) {}

  async call<T = Record<string, unknown>>(
    operation: string,
    input: Record<string, unknown>,
  ): Promise<T> {
    const url = new URL(this.opts.endpoint);
    const body = JSON.stringify(input);
    const amzDate = new Date().toISOString().replace(/[:-]|\.\d{3}/g, '');
    const day = amzDate.slice(0, 8);
    const headers: Record<string, string> = {
      'content-type': 'application/x-amz-json-1.1',
      host: url.host,
      'x-amz-date': amzDate,
      'x-amz-target': `AWSEvents.${operation}`,
      ...(this.opts.sessionToken ? { 'x-amz-security-token': this.opts.sessionToken } : {}),
    };
    const names = Object.keys(headers).sort();
    const canonical = [
      'POST',
      url.pathname || '/',
      '',
      ...names.map((n) => `${n}:${headers[n]}`),
      '',
      names.join(';'),
      sha256hex(body),
    ].join('\n');
    const scope = `${day}/${this.opts.region}/events/aws4_request`;
    const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256hex(canonical)].join('\n');
    let key = hmac(`AWS4${this.opts.secretAccessKey}`, day);
    for (const part of [this.opts.region, 'events', 'aws4_request']) key = hmac(key, part);
    const signature = createHmac('sha256', key).update(toSign).digest('hex');
    headers.authorization = `AWS4-HMAC-SHA256 Credential=${this.opts.accessKeyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`;

    const res = await fetch(url, { method: 'POST', headers, body });
    const text = await res.text();
    let parsed: Record<string, unknown> = {};
    try {
      parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      // Not JSON: not an EventBridge answer (wrong endpoint?); the status and text say what it was.
      if (res.ok)
        throw new EventsApiError(
          'InvalidResponse',
          `${operation}: not a JSON answer: ${text.slice(0, 200)}`,
          res.status,
        );
    }
    if (!res.ok) {
      const code = String(parsed.__type ?? 'UnknownError')
        .split('#')
        .pop()!;
      throw new EventsApiError(code, String(parsed.message ?? parsed.Message ?? text), res.status);
    }
    return parsed as T;
  }
}
