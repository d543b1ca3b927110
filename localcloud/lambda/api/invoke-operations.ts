/**
 * Invoke (RequestResponse, Event, DryRun; LogType Tail) and the older
 * InvokeAsync.
 */
import type { ExecutionPool, InvokeOutcome } from '../runtime/execution-pool';
import type { AsyncInvoker } from './async-invoker';
import { invalidParameter } from './errors';
import type { FunctionDefinition } from './function-definition';
import type { FunctionRegistry } from './function-registry';
import {
  jsonPayload,
  operation,
  param,
  type OperationTable,
  type Reply,
  type RestRequest,
} from './operation-table';

export interface InvokeOperationDeps {
  functions: FunctionRegistry;
  pool: ExecutionPool;
  asyncInvoker: AsyncInvoker;
}

/** LogType Tail returns the last 4 KB of the invocation's log, as AWS does. */
const TAIL_BYTES = 4096;

interface InvokeInput {
  name: string;
  type: string;
  logTail: boolean;
  body: Buffer;
}

const invokeInput = (r: RestRequest): InvokeInput => ({
  name: param(r, 'FunctionName'),
  type: String(r.headers['x-amz-invocation-type'] ?? 'RequestResponse'),
  logTail: String(r.headers['x-amz-log-type'] ?? '') === 'Tail',
  body: r.body,
});

function tailLog(f: FunctionDefinition, out: InvokeOutcome): string {
  const log = `START RequestId: ${out.requestId} Version: $LATEST\n${out.tail}${out.tail ? '\n' : ''}END RequestId: ${out.requestId}\nREPORT RequestId: ${out.requestId}\tDuration: ${out.durationMs.toFixed(2)} ms\tMemory Size: ${f.memoryMb} MB\n`;
  return Buffer.from(log.slice(-TAIL_BYTES)).toString('base64');
}

export function invokeOperations(d: InvokeOperationDeps): OperationTable {
  const invoke = async (i: InvokeInput): Promise<Reply> => {
    const f = d.functions.get(i.name);
    const payload = jsonPayload(i.body);
    if (i.type === 'DryRun') return { status: 204 };
    if (i.type === 'Event') {
      void d.asyncInvoker.invoke(f.name, payload);
      return { status: 202, headers: { 'X-Amz-Executed-Version': '$LATEST' } };
    }
    if (i.type !== 'RequestResponse')
      throw invalidParameter(
        `InvocationType must be RequestResponse, Event or DryRun (got ${i.type})`,
      );
    const out = await d.pool.run(f, payload, false);
    const headers: Record<string, string> = { 'X-Amz-Executed-Version': '$LATEST' };
    if (!out.ok) headers['X-Amz-Function-Error'] = 'Unhandled';
    if (i.logTail) headers['X-Amz-Log-Result'] = tailLog(f, out);
    return { status: 200, body: out.payload, headers };
  };
  return {
    Invoke: operation(invokeInput, invoke),
    InvokeAsync: operation(invokeInput, (i) => {
      const f = d.functions.get(i.name);
      void d.asyncInvoker.invoke(f.name, jsonPayload(i.body));
      return { status: 202, body: { Status: 202 } };
    }),
  };
}
