/**
 * The cloud's one error family: every service throws AwsError and answers it
 * AWS-shaped in the protocol the request came in (JSON __type + message;
 * query-protocol <ErrorResponse> XML; awsQueryCompatible services add
 * x-amzn-query-error), so SDKs and the CLI show a named exception and
 * message instead of a parse failure.
 */
import { randomUUID } from 'node:crypto';
import type { EdgeResponse } from '../contracts';
import type { WireProtocol } from './route-request';

/** An error as AWS names it; thrown inside a service, answered by it. */
export class AwsError extends Error {
  constructor(
    /** JSON-protocol code (the SDK's exception name), e.g. 'ResourceNotFoundException'. */
    readonly code: string,
    message: string,
    readonly status = 400,
    /** The query-protocol code where it differs, e.g. 'ResourceNotFound' (CloudWatch, SQS). */
    readonly queryCode?: string,
  ) {
    super(message);
    this.name = code;
  }
}

/** How one service frames its errors. */
export interface ErrorStyle {
  /** Content type of JSON answers, e.g. 'application/x-amz-json-1.1'. */
  contentType?: string;
  /** Smithy namespace for JSON __type, e.g. 'com.amazonaws.cloudwatch'; omitted → bare code. */
  jsonNamespace?: string;
  /** XML namespace of query-protocol answers. */
  xmlNamespace?: string;
  /** awsQueryCompatible JSON services (CloudWatch, SQS) also send x-amzn-query-error. */
  queryCompatible?: boolean;
}

export interface AwsErrorSpec extends ErrorStyle {
  code: string;
  message: string;
  status?: number;
  queryCode?: string;
  /** 'Sender' (client error) or 'Receiver' (server error). */
  fault?: 'Sender' | 'Receiver';
}

export function xmlEscape(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** The JSON protocols' error body. */
export function awsErrorBody(code: string, message: string, jsonNamespace?: string): string {
  const type = jsonNamespace ? `${jsonNamespace}#${code}` : code;
  return JSON.stringify({ __type: type, message, Message: message });
}

/** Answers `err` in the request's protocol with the service's framing. */
export function answerAwsError(
  res: EdgeResponse,
  protocol: WireProtocol,
  err: AwsError,
  style: ErrorStyle = {},
): void {
  sendAwsError(res, protocol, {
    ...style,
    code: err.code,
    message: err.message,
    status: err.status,
    queryCode: err.queryCode ?? (style.queryCompatible ? err.code : undefined),
  });
}

export function sendAwsError(
  res: EdgeResponse,
  protocol: WireProtocol,
  spec: AwsErrorSpec,
  contentType = spec.contentType ?? 'application/x-amz-json-1.0',
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
      'content-type': 'text/xml',
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
    return;
  }
  const body = awsErrorBody(spec.code, spec.message, spec.jsonNamespace);
  const headers: Record<string, string | number> = {
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
    'x-amzn-ErrorType': spec.code,
  };
  if (spec.queryCode) headers['x-amzn-query-error'] = `${spec.queryCode};${fault}`;
  res.writeHead(status, headers);
  res.end(body);
}

export function sendJson(
  res: EdgeResponse,
  data: unknown,
  contentType: string,
  status = 200,
): void {
  const body = JSON.stringify(data);
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
    'x-amzn-RequestId': randomUUID(),
  });
  res.end(body);
}

export function unimplementedMessage(service: string, operation: string | undefined): string {
  return `streamscale local cloud does not implement ${service}:${operation ?? '(unknown operation)'}`;
}
