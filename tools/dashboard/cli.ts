/**
 * `npm run dashboard [-- --port 8080] [--open]`: serves the dashboard page on
 * 127.0.0.1 and prints its URL. The page reads CloudWatch at AWS_ENDPOINT_URL
 * (default: the local cloud at http://127.0.0.1:4566).
 */
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { applyLocalDefaults, cloudWatchClient } from '../../functions/aws/clients';
import { describeCloudError, endpointInUse } from '../query/endpoint-errors';
import { cloudWatchSource } from './cloudwatch-source';
import { startDashboardServer } from './server';
import { quietSdkNodeVersionWarning } from '../query/quiet-sdk-warnings';

quietSdkNodeVersionWarning();

const USAGE = `usage: npm run dashboard -- [--port 8080] [--open]

  --port <n>   port on 127.0.0.1 (default 8080; 0 picks a free one)
  --open       open the page in the default browser
  --help       this text

Reads CloudWatch at AWS_ENDPOINT_URL (default http://127.0.0.1:4566, the local cloud).`;

class UsageError extends Error {}

function parse(argv: string[]): { port: number; open: boolean; help: boolean } {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string', default: '8080' },
        open: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (err) {
    throw new UsageError(
      `${err instanceof Error ? err.message.split('\n')[0] : String(err)} (see npm run dashboard -- --help)`,
    );
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port "${values.port}" is not a port number (0-65535)`);
  return { port, open: values.open ?? false, help: values.help ?? false };
}

function openBrowser(url: string): void {
  const cmd =
    process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'cmd' : 'xdg-open';
  const args = process.platform === 'win32' ? ['/c', 'start', '', url] : [url];
  const child = spawn(cmd, args, { stdio: 'ignore', detached: true });
  child.on('error', () => console.error(`could not open a browser; open ${url} yourself`));
  child.unref();
}

async function main(): Promise<void> {
  const args = parse(process.argv.slice(2));
  if (args.help) {
    console.log(USAGE);
    return;
  }
  applyLocalDefaults();
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
    console.error(
      `warning: ${describeCloudError(err, { endpoint, resource: 'dashboards' }) ?? (err instanceof Error ? err.message : String(err))}`,
    );
  }
  let server;
  try {
    server = await startDashboardServer({ source, port: args.port, endpoint });
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'EADDRINUSE')
      throw new UsageError(
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
}

main().catch((err: unknown) => {
  console.error(
    err instanceof UsageError
      ? err.message
      : `dashboard failed: ${err instanceof Error ? err.message : String(err)}`,
  );
  process.exitCode = 1;
});
