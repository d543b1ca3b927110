/**
 * `npm run deploy:localstack`: deploy the CDK stack to a LocalStack container
 * with aws-cdk-local (`cdklocal bootstrap`, then `cdklocal deploy
 * --require-approval never`). Checks first that LocalStack answers, and
 * says how to start it if not. Needs Docker; not exercised in CI here.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCommandLine } from '../tools/cli-kit/command-line';
import { CommandError, EXIT, type ExitCode } from '../tools/cli-kit/errors';
import { isEntry, runMain } from '../tools/cli-kit/run-main';
import { cdklocalEnvironment, classifyHealth, type EdgeKind } from './cdklocal-env';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CDKLOCAL = join(
  ROOT,
  'node_modules',
  '.bin',
  process.platform === 'win32' ? 'cdklocal.cmd' : 'cdklocal',
);
const START_HINT =
  'start it with `docker compose -f localstack/docker-compose.yml up -d` (needs Docker)';

const HELP = `npm run deploy:localstack [-- options]

Deploys the stack to LocalStack with cdklocal (bootstrap, then deploy).
LocalStack must be running: docker compose -f localstack/docker-compose.yml up -d

  --endpoint URL      LocalStack edge (default AWS_ENDPOINT_URL or http://127.0.0.1:4566)
  --skip-bootstrap    the environment is bootstrapped already
  -h, --help          this text

Exit codes: 0 deployed, 1 the deploy failed (no LocalStack, cdklocal), 2 a wrong command line.`;

/** LocalStack answers GET /_localstack/health with its services; the embedded cloud says it is the embedded cloud. */
async function probe(endpoint: string): Promise<EdgeKind> {
  try {
    const res = await fetch(`${endpoint}/_localstack/health`, {
      signal: AbortSignal.timeout(2_000),
    });
    return classifyHealth(res.ok, await res.json().catch(() => undefined));
  } catch {
    // Refused, reset or timed out: nothing usable listens there.
    return 'down';
  }
}

function run(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(CDKLOCAL, args, { cwd: ROOT, stdio: 'inherit', env });
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? 1));
  });
}

function fail(message: string): never {
  throw new CommandError(message);
}

export async function main(argv: string[]): Promise<ExitCode> {
  const parsed = parseCommandLine(
    {
      invocation: 'npm run deploy:localstack --',
      options: {
        endpoint: { type: 'string' },
        'skip-bootstrap': { type: 'boolean', default: false },
      },
    },
    argv,
  );
  if (parsed.help) {
    process.stdout.write(`${HELP}\n`);
    return EXIT.ok;
  }
  const { values } = parsed;
  const endpoint = (
    values.endpoint ??
    process.env.AWS_ENDPOINT_URL ??
    'http://127.0.0.1:4566'
  ).replace(/\/$/, '');
  if (!existsSync(CDKLOCAL))
    fail(
      'cdklocal is not installed (it comes with `npm install`: the aws-cdk-local dev dependency)',
    );

  const state = await probe(endpoint);
  if (state === 'down') fail(`LocalStack is not reachable at ${endpoint} — ${START_HINT}`);
  if (state === 'embedded') {
    fail(
      `${endpoint} is the embedded local cloud (\`npm run local\`), not LocalStack: deploy to it with \`npm run deploy:local\` ` +
        `or \`npx cdklocal deploy\` (see README); for LocalStack, ${START_HINT} and use another port or stop the embedded cloud`,
    );
  }
  if (state === 'other') {
    fail(
      `${endpoint} answers but is not LocalStack (no /_localstack/health). If it is the embedded cloud (\`npm run local\`), ` +
        'deploy with `npm run deploy:local`; otherwise ' +
        START_HINT,
    );
  }

  const env = cdklocalEnvironment(process.env, endpoint);

  if (!values['skip-bootstrap']) {
    process.stdout.write(`cdklocal bootstrap (${endpoint})\n`);
    const code = await run(['bootstrap'], env);
    if (code !== 0) fail(`cdklocal bootstrap failed (exit ${code}); see its output above`);
  }
  const outputs = join(ROOT, '.streamscale', 'outputs-localstack.json');
  mkdirSync(dirname(outputs), { recursive: true });
  process.stdout.write(`cdklocal deploy --require-approval never (${endpoint})\n`);
  const code = await run(
    ['deploy', '--all', '--require-approval', 'never', '--outputs-file', outputs],
    env,
  );
  if (code !== 0) fail(`cdklocal deploy failed (exit ${code}); see its output above`);
  process.stdout.write(`deployed to LocalStack at ${endpoint}; outputs in ${outputs}\n`);
  return EXIT.ok;
}

if (isEntry(import.meta.url)) void runMain(main, { name: 'deploy:localstack' });
