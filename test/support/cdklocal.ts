/**
 * Runs the pinned CDK CLI through cdklocal against an embedded cloud, as a
 * user does (`npx cdklocal bootstrap | deploy | diff | destroy`), with the
 * environment aws-cdk-local 3 needs (AWS_ENDPOINT_URL and
 * AWS_ENDPOINT_URL_S3 at the edge; an IP endpoint makes S3 path-style).
 */
import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CDKLOCAL = join(ROOT, 'node_modules', '.bin', 'cdklocal');

export interface CliRun {
  code: number | null;
  output: string;
  ms: number;
}

export function cdklocalEnv(endpoint: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    AWS_ENDPOINT_URL: endpoint,
    AWS_ENDPOINT_URL_S3: endpoint,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: 'us-east-1',
    AWS_ENVAR_ALLOWLIST: 'AWS_REGION',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    CI: 'true',
    ...(process.env.STREAMSCALE_CONFIG
      ? { STREAMSCALE_CONFIG: process.env.STREAMSCALE_CONFIG }
      : {}),
  };
}

/** `cdklocal <args>` in the project root; the output (stdout and stderr) for assertions. */
export function cdklocal(args: string[], endpoint: string, timeoutMs: number): Promise<CliRun> {
  const started = performance.now();
  return new Promise((done, fail) => {
    const child = spawn(CDKLOCAL, args, {
      cwd: ROOT,
      env: cdklocalEnv(endpoint),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, output, ms: performance.now() - started });
    });
  });
}
