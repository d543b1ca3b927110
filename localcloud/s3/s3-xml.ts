/**
 * S3's REST-XML answers (pure): documents, errors, and the few request
 * documents S3 reads (DeleteObjects, CompleteMultipartUpload).
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { xmlEscape } from '../edge/aws-errors';
import { toXml } from '../edge/query-protocol';

export const S3_XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';

/** `<Root xmlns=…>children</Root>` from a plain object (arrays repeat their element name). */
export function s3Document(root: string, content: Record<string, unknown>): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="${S3_XMLNS}">${elements(content)}</${root}>`;
}

function elements(content: Record<string, unknown>): string {
  return Object.entries(content)
    .filter(([, v]) => v !== undefined && v !== null)
    .map(([k, v]) =>
      (Array.isArray(v) ? v : [v])
        .map((item) =>
          item !== null && typeof item === 'object' && !(item instanceof Date)
            ? `<${k}>${elements(item as Record<string, unknown>)}</${k}>`
            : `<${k}>${toXml(item)}</${k}>`,
        )
        .join(''),
    )
    .join('');
}

export function sendXml(
  res: ServerResponse,
  status: number,
  xml: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'Content-Type': 'application/xml',
    'Content-Length': Buffer.byteLength(xml),
    'x-amz-request-id': randomUUID(),
    ...headers,
  });
  res.end(xml);
}

export function sendS3Error(
  res: ServerResponse,
  head: boolean,
  code: string,
  message: string,
  status: number,
  extra: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const requestId = randomUUID();
  if (head) {
    // HEAD answers carry no body: the SDK names the error from the status.
    res.writeHead(status, { 'x-amz-request-id': requestId });
    res.end();
    return;
  }
  const more = Object.entries(extra)
    .map(([k, v]) => `<${k}>${xmlEscape(v)}</${k}>`)
    .join('');
  const xml =
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${xmlEscape(code)}</Code>` +
    `<Message>${xmlEscape(message)}</Message>${more}<RequestId>${requestId}</RequestId></Error>`;
  res.writeHead(status, {
    'Content-Type': 'application/xml',
    'Content-Length': Buffer.byteLength(xml),
    'x-amz-request-id': requestId,
  });
  res.end(xml);
}

function unescapeXml(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_m, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&amp;/g, '&');
}

/** Every `<tag>text</tag>` value in document order. */
export function xmlValues(xml: string, tag: string): string[] {
  return [...xml.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) =>
    unescapeXml(m[1]!),
  );
}

/** Each `<tag>…</tag>` element's inner XML. */
export function xmlElements(xml: string, tag: string): string[] {
  return [...xml.matchAll(new RegExp(`<${tag}(?:\\s[^>]*)?>([\\s\\S]*?)</${tag}>`, 'g'))].map(
    (m) => m[1]!,
  );
}

export const httpDate = (ms: number) => new Date(ms).toUTCString();
export const isoDate = (ms: number) => new Date(ms).toISOString();
