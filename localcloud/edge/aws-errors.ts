/**
 * AWS-shaped error answers for the three wire protocols, so SDKs and the CLI
 * show a named exception and message instead of a parse failure.
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { WireProtocol } from './route-request';

export interface AwsErrorSpec {
  code: string;
  message: string;
  status?: number;
  /** Smithy namespace for JSON __type, e.g. 'com.amazonaws.cloudwatch'; omitted → bare code. */
  jsonNamespace?: string;
  /** For awsQueryCompatible JSON services (CloudWatch, SQS): the query error code and fault. */
  queryCode?: string;
  /** XML namespace of query-protocol responses. */
  xmlNamespace?: string;
  /** 'Sender' (client error) or 'Receiver' (server error). */
  fault?: 'Sender' | 'Receiver';
}

/** Error as thrown inside a service; the service catches and answers it. */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    readonly queryCode?: string,
  ) {
    super(message);
  }
}

export function xmlEscape(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

export function sendAwsError(
  res: ServerResponse,
  protocol: WireProtocol,
  spec: AwsErrorSpec,
  contentType = 'application/x-amz-json-1.0',
): void {
  const status = spec.status ?? 400;
  const fault = spec.fault ?? (status >= 500 ? 'Receiver' : 'Sender');
  const requestId = randomUUID();
  if (res.headersSent) {
    res.end();
    return;
  }
  res.setHeader('x-amzn-RequestId', requestId);
  if (protocol === 'query') {
    const ns = spec.xmlNamespace ? ` xmlns="${spec.xmlNamespace}"` : '';
    const body =
      `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse${ns}><Error><Type>${fault}</Type>` +
      `<Code>${xmlEscape(spec.queryCode ?? spec.code)}</Code><Message>${xmlEscape(spec.message)}</Message></Error>` +
      `<RequestId>${requestId}</RequestId></ErrorResponse>`;
    res.writeHead(status, {
      'Content-Type': 'text/xml',
      'Content-Length': Buffer.byteLength(body),
    });
    res.end(body);
    return;
  }
  const type = spec.jsonNamespace ? `${spec.jsonNamespace}#${spec.code}` : spec.code;
  const body = JSON.stringify({ __type: type, message: spec.message, Message: spec.message });
  const headers: Record<string, string | number> = {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(body),
    'x-amzn-ErrorType': spec.code,
  };
  if (spec.queryCode) headers['x-amzn-query-error'] = `${spec.queryCode};${fault}`;
  res.writeHead(status, headers);
  res.end(body);
}

export function sendJson(
  res: ServerResponse,
  data: unknown,
  contentType: string,
  status = 200,
): void {
  const body = JSON.stringify(data);
  res.writeHead(status, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(body),
    'x-amzn-RequestId': randomUUID(),
  });
  res.end(body);
}

export function unimplementedMessage(service: string, operation: string | undefined): string {
  return `streamscale local cloud does not implement ${service}:${operation ?? '(unknown operation)'}`;
}
