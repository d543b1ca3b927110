/**
 * CreateFunction / UpdateFunctionConfiguration input as it comes over the
 * wire, and its validation into definition fields (pure): AWS's ranges, and
 * the embedded cloud's limits (Node.js runtimes only).
 */
import { runtimeRefusal } from '../runtime/runtimes';
import type { FunctionDefinition } from './function-definition';
import type { CodeInput } from './code-source';
import { invalidParameter } from './errors';

/** The configuration fields of CreateFunction / UpdateFunctionConfiguration (JSON body). */
export interface FunctionInput {
  FunctionName?: unknown;
  Runtime?: unknown;
  Handler?: unknown;
  Role?: unknown;
  Description?: unknown;
  Timeout?: unknown;
  MemorySize?: unknown;
  Environment?: { Variables?: Record<string, unknown> } | null;
  Architectures?: unknown;
  EphemeralStorage?: { Size?: unknown } | null;
  TracingConfig?: { Mode?: unknown } | null;
  LoggingConfig?: { LogGroup?: unknown; LogFormat?: unknown } | null;
  Code?: CodeInput;
}

export type FunctionSettings = Partial<
  Pick<
    FunctionDefinition,
    | 'runtime'
    | 'handler'
    | 'role'
    | 'description'
    | 'timeoutSec'
    | 'memoryMb'
    | 'environment'
    | 'architectures'
    | 'ephemeralStorageMb'
    | 'tracingMode'
    | 'logGroup'
    | 'logFormat'
  >
>;

function wholeNumber(value: unknown, lo: number, hi: number, what: string): number {
  const n = Number(value);
  if (!(Number.isInteger(n) && n >= lo && n <= hi))
    throw invalidParameter(`${what} (got ${String(value)})`);
  return n;
}

function runtimeOf(value: unknown): string {
  const runtime = String(value);
  const refusal = runtimeRefusal(runtime);
  if (refusal) throw invalidParameter(refusal);
  return runtime;
}

function tracingMode(value: unknown): 'Active' | 'PassThrough' {
  if (value === undefined || value === null) return 'PassThrough';
  if (value !== 'Active' && value !== 'PassThrough')
    throw invalidParameter(
      `TracingConfig.Mode must be Active or PassThrough (got ${String(value)})`,
    );
  return value;
}

function logging(i: NonNullable<FunctionInput['LoggingConfig']>): FunctionSettings {
  const out: FunctionSettings = {};
  if (i.LogGroup !== undefined && i.LogGroup !== null) out.logGroup = String(i.LogGroup);
  if (i.LogFormat !== undefined && i.LogFormat !== null) {
    if (i.LogFormat !== 'Text' && i.LogFormat !== 'JSON')
      throw invalidParameter(
        `LoggingConfig.LogFormat must be Text or JSON (got ${String(i.LogFormat)})`,
      );
    out.logFormat = i.LogFormat;
  }
  return out;
}

/** The settings an input names; `base` supplies what a partial setting (EphemeralStorage) keeps. */
export function functionSettings(i: FunctionInput, base: FunctionSettings): FunctionSettings {
  const out: FunctionSettings = {};
  if (i.Runtime !== undefined) out.runtime = runtimeOf(i.Runtime);
  if (i.Handler !== undefined) out.handler = String(i.Handler);
  if (i.Role !== undefined) out.role = String(i.Role);
  if (i.Description !== undefined) out.description = String(i.Description);
  if (i.Timeout !== undefined)
    out.timeoutSec = wholeNumber(i.Timeout, 1, 900, 'Timeout must be 1-900 seconds');
  if (i.MemorySize !== undefined)
    out.memoryMb = wholeNumber(i.MemorySize, 128, 10240, 'MemorySize must be 128-10240 MB');
  if (i.Environment !== undefined) {
    const vars = i.Environment?.Variables ?? {};
    out.environment = Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, String(v)]));
  }
  if (Array.isArray(i.Architectures)) out.architectures = i.Architectures.map(String);
  if (i.EphemeralStorage !== undefined)
    out.ephemeralStorageMb = Number(i.EphemeralStorage?.Size ?? base.ephemeralStorageMb ?? 512);
  if (i.TracingConfig !== undefined) out.tracingMode = tracingMode(i.TracingConfig?.Mode);
  if (i.LoggingConfig) Object.assign(out, logging(i.LoggingConfig));
  return out;
}

export function checkFunctionName(i: FunctionInput, name: string): void {
  if (!/^[a-zA-Z0-9_-]{1,64}$/.test(name))
    throw invalidParameter(
      `FunctionName must be 1-64 letters, digits, - or _ (got "${String(i.FunctionName)}")`,
    );
}

/** What CreateFunction requires besides the name and code. */
export function checkRequiredSettings(i: FunctionInput): void {
  if (i.Handler === undefined) throw invalidParameter('Handler is required, e.g. "index.handler"');
  if (i.Role === undefined) throw invalidParameter('Role is required');
}
