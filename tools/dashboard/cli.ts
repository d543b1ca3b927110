/**
 * `npm run dashboard [-- --port 8080] [--open]`: serves the dashboard page on
 * 127.0.0.1 and prints its URL. The page reads CloudWatch at AWS_ENDPOINT_URL
 * (default: the local cloud at http://127.0.0.1:4566).
 */
import { spawn } from 'node:child_process';
import { cloudWatchClient } from '../../functions/aws/clients';
import { applyCliDefaults, endpointInUse } from '../cli-kit/aws-env';
import { numberFlag, parseCommandLine } from '../cli-kit/command-line';
import { CommandError, EXIT, type ExitCode } from '../cli-kit/errors';
import { isEntry, runMain } from '../cli-kit/run-main';
import { describeCloudError, isUnreachable, timeoutOf } from '../query/endpoint-errors';
import { cloudWatchSource } from './cloudwatch-source';
import { startDashboardServer } from './server';

const USAGE = `usage: npm run dashboard -- [--port 8080] [--open]

  --port <n>   port on 127.0.0.1 (default 8080; 0 picks a free one)
  --open       open the page in the default browser
  -h, --help   this text

Reads CloudWatch at AWS_ENDPOINT_URL (default http://127.0.0.1:4566, the local cloud).
Exit codes: 0 stopped with Ctrl+C, 1 the server failed, 2 a wrong command line.`;

export function parseDashboardArgs(
  argv: string[],
): { help: true } | { help: false; port: number; open: boolean } {
  const parsed = parseCommandLine(
    {
      invocation: 'npm run dashboard --',
      options: { port: { type: 'string' }, open: { type: 'boolean', default: false } },
    },
    argv,
  );
  if (parsed.help) return { help: true };
  const port = numberFlag('port', parsed.values.port, 8080, { int: true, min: 0, max: 65535 });
  return { help: false, port, open: parsed.values.open ?? false };
}

function openBrowser(url: string): void {
  const cmd =
    process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'cmd' : 'xdg-open';
  const args = process.platform === 'win32' ? ['/c', 'start', '', url] : [url];
  const child = spawn(cmd, args, { stdio: 'ignore', detached: true });
  child.on('error', () => console.error(`could not open a browser; open ${url} yourself`));
  child.unref();
}

export async function main(argv: string[]): Promise<ExitCode> {
  const args = parseDashboardArgs(argv);
  if (args.help) {
    console.log(USAGE);
    return EXIT.ok;
  }
  applyCliDefaults();
  const endpoint = endpointInUse();
  const source = cloudWatchSource(cloudWatchClient({ maxAttempts: 2 }));
  // Check the cloud once up front so the user hears about a missing endpoint here, not only in the page.
  try {
    const dashboards = await source.listDashboards();
    if (dashboards.length === 0)
      console.error(
        `no dashboards yet at ${endpoint} — deploy the stack (npm run deploy:local); the page will list them once there`,
      );
  } catch (err) {
    const message = describeCloudError(err, { endpoint, resource: 'dashboards' });
    // A cloud that is not there, or does not answer, leaves the page nothing to show: say so and stop.
    if (message && (isUnreachable(err) || timeoutOf(err))) throw new CommandError(message);
    console.error(`warning: ${message ?? (err instanceof Error ? err.message : String(err))}`);
  }
  let server;
  try {
    server = await startDashboardServer({ source, port: args.port, endpoint });
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'EADDRINUSE')
      throw new CommandError(
        `port ${args.port} is in use — pick another with --port (e.g. --port 8081, or 0 for any free port)`,
      );
    throw err;
  }
  console.log(`dashboard: ${server.url}  (CloudWatch at ${endpoint}; Ctrl+C to stop)`);
  if (args.open) openBrowser(server.url);
  const stop = () => {
    void server.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return EXIT.ok;
}

if (isEntry(import.meta.url)) void runMain(main, { name: 'dashboard' });
