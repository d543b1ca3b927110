/**
 * How every service of the cloud declares its API: a table from operation
 * name to an operation that decodes its typed input from the request's
 * parameters (the JSON body, or the query protocol's form decoded to the
 * same shape) and runs on it. Lookups go through own properties only, so an
 * operation named `constructor` or `__proto__` is unknown, not Object's.
 */
import { AwsError } from './aws-errors';

/** A request's parameters before decoding: the JSON object (or the decoded query form). */
export type RawInput = Record<string, unknown>;

export interface Operation<Ctx, Out> {
  call(raw: RawInput, ctx: Ctx): Out | Promise<Out>;
}

export type OperationTable<Ctx, Out> = Readonly<Record<string, Operation<Ctx, Out>>>;

export function operation<I, Ctx, Out>(
  decode: (raw: RawInput) => I,
  run: (input: I, ctx: Ctx) => Out | Promise<Out>,
): Operation<Ctx, Out> {
  return { call: (raw, ctx) => run(decode(raw), ctx) };
}

export function findOperation<Ctx, Out>(
  table: OperationTable<Ctx, Out>,
  name: string,
): Operation<Ctx, Out> | undefined {
  return Object.hasOwn(table, name) ? table[name] : undefined;
}

/** A JSON request body as an object; anything else is the protocol's SerializationException. */
export function parseJsonObject(body: Buffer, queryCode?: string): RawInput {
  if (body.length === 0) return {};
  try {
    const v = JSON.parse(body.toString('utf8')) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as RawInput;
  } catch {
    // answered below
  }
  throw new AwsError(
    'SerializationException',
    'the request body is not a JSON object',
    400,
    queryCode,
  );
}

/** The operation name of an X-Amz-Target header (`Prefix.Operation`). */
export function targetOperation(target: string | string[] | undefined): string {
  const t = Array.isArray(target) ? (target[0] ?? '') : (target ?? '');
  return t.slice(t.lastIndexOf('.') + 1);
}
