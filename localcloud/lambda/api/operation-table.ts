/**
 * How the Lambda API's operations are declared: each decodes its typed input
 * from the REST request (path parameters, query, JSON body, headers), then
 * runs on it and returns the reply. A table maps operation names (as
 * rest-routes.ts matches them) to operations.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { invalidContent } from './errors';

export type Json = Record<string, unknown>;

export interface RestRequest {
  params: Record<string, string>;
  query: URLSearchParams;
  body: Buffer;
  headers: IncomingHttpHeaders;
}

export interface Reply {
  status?: number;
  body?: Json | string;
  headers?: Record<string, string>;
}

export interface Operation {
  call(r: RestRequest): Reply | Promise<Reply>;
}

export type OperationTable = Record<string, Operation>;

export function operation<I>(
  input: (r: RestRequest) => I,
  run: (i: I) => Reply | Promise<Reply>,
): Operation {
  return { call: (r) => run(input(r)) };
}

/** The request's JSON body as the operation's input type ({} when empty). */
export function jsonBody<T extends object>(r: RestRequest): T {
  if (r.body.length === 0) return {} as T;
  try {
    return JSON.parse(r.body.toString('utf8')) as T;
  } catch {
    throw invalidContent('Could not parse request body into json');
  }
}

/** An Invoke payload: any JSON value ({} when empty). */
export function jsonPayload(body: Buffer): unknown {
  if (body.length === 0) return {};
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw invalidContent('Could not parse request payload into json: the payload must be JSON');
  }
}

/** A path parameter the route guarantees. */
export const param = (r: RestRequest, name: string): string => r.params[name] ?? '';
