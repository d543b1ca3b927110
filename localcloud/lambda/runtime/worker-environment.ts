/**
 * The environment a function's execution environment gets (pure): its own
 * variables plus what Lambda sets, with the local cloud's edge as
 * AWS_ENDPOINT_URL (as LocalStack does) so SDK v3 clients reach it, and test
 * credentials (the edge accepts any).
 */
import { createHash } from 'node:crypto';
import type { FunctionDefinition } from '../api/function-definition';
import { declaredNodeMajor, nodeMajor } from './runtimes';

export interface RuntimeSite {
  endpoint: string;
  region: string;
}

export const logGroupOf = (fn: FunctionDefinition) => fn.logGroup ?? `/aws/lambda/${fn.name}`;
/** AWS's stream name shape, YYYY/MM/DD/[$LATEST]<32 hex>: one stream per code/configuration generation. */
export const logStreamOf = (fn: FunctionDefinition) =>
  `${fn.lastModified.slice(0, 10).replace(/-/g, '/')}/[$LATEST]${createHash('md5').update(`${fn.name}:${fn.generation}`).digest('hex')}`;

/**
 * The AWS SDK v3 prints a notice (as a warning on stderr, so an ERROR line in
 * the function's log) when it runs on a Node.js older than it will support.
 * A function declaring a newer runtime than the host's would never see it on
 * AWS: the notice is about the emulator's one Node.js, not the function, so
 * the SDK's documented switch silences it. A function's own setting wins.
 */
function hostNoticeSwitch(runtime: string, hostVersion: string): Record<string, string> {
  const declared = declaredNodeMajor(runtime);
  return declared !== undefined && declared > nodeMajor(hostVersion)
    ? { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' }
    : {};
}

export function lambdaEnvironment(
  fn: FunctionDefinition,
  site: RuntimeSite,
  hostVersion: string,
): Record<string, string> {
  return {
    ...hostNoticeSwitch(fn.runtime, hostVersion),
    ...fn.environment,
    AWS_LAMBDA_FUNCTION_NAME: fn.name,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_LOG_GROUP_NAME: logGroupOf(fn),
    AWS_LAMBDA_LOG_STREAM_NAME: logStreamOf(fn),
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_REGION: site.region,
    AWS_DEFAULT_REGION: site.region,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_ENDPOINT_URL: site.endpoint,
    AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
    _HANDLER: fn.handler,
    LAMBDA_TASK_ROOT: fn.codeDir,
    TZ: ':UTC',
  };
}

/** Node flags that load a module first (each takes the next argument, or `=value`). */
const PRELOAD_FLAGS = new Set(['--import', '--require', '-r', '--loader', '--experimental-loader']);

/**
 * The Node.js flags an execution environment starts with: the cloud's own,
 * minus a TypeScript loader (tsx) the cloud may run under. A function is
 * JavaScript (index.mjs / .js / .cjs) and so is the runtime's bootstrap;
 * a loader inherited by the worker thread hooks every module the function
 * and the SDK load, which about doubled a cold start's CPU (docs/benchmarks.md).
 */
export function workerExecArgv(parent: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < parent.length; i++) {
    const a = parent[i]!;
    const eq = a.indexOf('=');
    const [flag, inline] = eq > 0 ? [a.slice(0, eq), a.slice(eq + 1)] : [a, undefined];
    if (!PRELOAD_FLAGS.has(flag)) {
      out.push(a);
      continue;
    }
    const value = inline ?? parent[i + 1] ?? '';
    if (inline === undefined) i++;
    if (!/[\\/]tsx[\\/]|^tsx$|^tsx\//.test(value.replace(/^file:\/\//, ''))) {
      out.push(a);
      if (inline === undefined) out.push(value);
    }
  }
  return out;
}
