/**
 * deploy:local end to end: `cdk synth` (unless told to reuse cdk.out), check
 * that a local cloud answers at the endpoint, plan each stack of the
 * assembly and apply it through the AWS SDK against that endpoint, then
 * write the stacks' outputs to .streamscale/outputs.json (the format of
 * `cdk deploy --outputs-file`). Used by the CLI, `npm start` and tests.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  internalCloudWatchClient as cloudWatchClient,
  internalDynamoClient as dynamoClient,
  internalKinesisClient as kinesisClient,
  internalLambdaClient as lambdaClient,
  internalSqsClient as sqsClient,
} from '../internal-clients';
import { DEFAULT_EDGE_PORT } from '../config';

const LOCAL_ENDPOINT = `http://127.0.0.1:${DEFAULT_EDGE_PORT}`;
import { DeployError, type DeployClients } from './appliers/types';
import { readAssembly, type AssemblyStack } from './cloud-assembly';
import { EventsApi } from './events-api';
import { executePlan, type DeployedResource, type StackResult } from './execute';
import { readLocalCloudState, DEFAULT_STATE_DIR } from './local-cloud-state';
import { Planner } from './plan';
import type { Json } from './template';

export interface DeployLocalOptions {
  /** Edge endpoint; default AWS_ENDPOINT_URL, else http://127.0.0.1:4566. */
  endpoint?: string;
  /** Cloud assembly directory; default <projectRoot>/cdk.out. */
  cdkOut?: string;
  /** Run `npx cdk synth -q` first (default true). */
  synth?: boolean;
  /** Repository root (where cdk.json is); default the current directory. */
  projectRoot?: string;
  /** Where the deployment record and outputs.json go; default <projectRoot>/.streamscale. */
  stateDir?: string;
  region?: string;
  /** Deploy only these stacks (by stack name); default every stack of the assembly. */
  stacks?: string[];
  /** Template parameter values, for every stack. */
  parameters?: Record<string, Json>;
  log?: (line: string) => void;
  onResource?: (stackName: string, r: DeployedResource) => void;
}

export interface DeployLocalResult {
  endpoint: string;
  stacks: StackResult[];
  outputsFile: string;
  synthMs: number;
  deployMs: number;
}

/** Why nothing answers at `endpoint`, and how to start it. */
export function noCloudMessage(endpoint: string, stateDir?: string): string {
  const running = readLocalCloudState(stateDir);
  const elsewhere =
    running && running.endpoint !== endpoint
      ? `; a local cloud is running at ${running.endpoint} — use it with AWS_ENDPOINT_URL=${running.endpoint}`
      : '';
  return `no local cloud at ${endpoint} — start it with \`npm run local\` (or set AWS_ENDPOINT_URL)${elsewhere}`;
}

/** True if anything answers HTTP at the endpoint (a refused connection fails at once; a busy machine gets a few seconds). */
export async function endpointAnswers(endpoint: string, timeoutMs = 5_000): Promise<boolean> {
  try {
    await fetch(endpoint, { method: 'GET', signal: AbortSignal.timeout(timeoutMs) });
    return true;
  } catch (err) {
    if (process.env.STREAMSCALE_DEBUG)
      process.stderr.write(
        `probe ${endpoint}: ${String((err as { cause?: unknown }).cause ?? err)}\n`,
      );
    return false;
  }
}

/** `npx cdk synth -q` in the project root, writing to cdkOut. */
export async function runSynth(
  projectRoot: string,
  cdkOut: string,
  log: (line: string) => void,
): Promise<void> {
  log(`synthesizing: npx cdk synth -q -o ${cdkOut}`);
  const output: string[] = [];
  const code = await new Promise<number | null>((done, fail) => {
    const child = spawn('npx', ['cdk', 'synth', '-q', '-o', cdkOut], {
      cwd: projectRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: process.env,
    });
    child.stdout.on('data', (d: Buffer) => output.push(d.toString()));
    child.stderr.on('data', (d: Buffer) => output.push(d.toString()));
    child.on('error', fail);
    child.on('close', done);
  });
  if (code !== 0) {
    const tail = output
      .join('')
      .split('\n')
      .filter((l) => l.trim() && !l.includes('npm warn'))
      .slice(-15)
      .join('\n');
    throw new DeployError(`cdk synth failed (exit ${code}):\n${tail}`);
  }
}

function orderStacks(stacks: AssemblyStack[]): AssemblyStack[] {
  const done = new Set<string>();
  const out: AssemblyStack[] = [];
  const visit = (s: AssemblyStack) => {
    if (done.has(s.id)) return;
    done.add(s.id);
    for (const d of s.dependencies) {
      const dep = stacks.find((x) => x.id === d);
      if (dep) visit(dep);
    }
    out.push(s);
  };
  stacks.forEach(visit);
  return out;
}

export function localClients(endpoint: string, region: string): DeployClients {
  const opts = { endpoint, region };
  return {
    kinesis: kinesisClient(opts),
    dynamodb: dynamoClient(opts),
    sqs: sqsClient(opts),
    lambda: lambdaClient(opts),
    cloudwatch: cloudWatchClient(opts),
    events: new EventsApi({
      endpoint,
      region,
      accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? 'test',
      secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? 'test',
      sessionToken: process.env.AWS_SESSION_TOKEN,
    }),
  };
}

export async function deployLocal(opts: DeployLocalOptions = {}): Promise<DeployLocalResult> {
  const log = opts.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const projectRoot = resolve(opts.projectRoot ?? process.cwd());
  const cdkOut = resolve(projectRoot, opts.cdkOut ?? 'cdk.out');
  const stateDir = resolve(projectRoot, opts.stateDir ?? DEFAULT_STATE_DIR);
  const endpoint = (opts.endpoint ?? process.env.AWS_ENDPOINT_URL ?? LOCAL_ENDPOINT).replace(
    /\/$/,
    '',
  );
  const region =
    opts.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
  // The local clouds take any credentials; the SDK still wants some.
  if (!process.env.AWS_ACCESS_KEY_ID && !process.env.AWS_PROFILE) {
    process.env.AWS_ACCESS_KEY_ID = 'test';
    process.env.AWS_SECRET_ACCESS_KEY = 'test';
  }

  // Check the endpoint before a slow synth, so a missing cloud is reported at once.
  if (!(await endpointAnswers(endpoint))) throw new DeployError(noCloudMessage(endpoint, stateDir));

  const synthStart = Date.now();
  if (opts.synth !== false) await runSynth(projectRoot, cdkOut, log);
  const synthMs = Date.now() - synthStart;

  let stacks = orderStacks(readAssembly(cdkOut));
  if (opts.stacks && opts.stacks.length > 0) {
    const unknown = opts.stacks.filter((n) => !stacks.some((s) => s.stackName === n || s.id === n));
    if (unknown.length > 0) {
      throw new DeployError(
        `no stack ${unknown.join(', ')} in ${cdkOut}; it has ${stacks.map((s) => s.stackName).join(', ')}`,
      );
    }
    stacks = stacks.filter(
      (s) => opts.stacks!.includes(s.stackName) || opts.stacks!.includes(s.id),
    );
  }

  const clients = localClients(endpoint, region);
  const deployStart = Date.now();
  const results: StackResult[] = [];
  try {
    for (const s of stacks) {
      log(`deploying ${s.stackName} to ${endpoint}`);
      const planner = new Planner({
        template: s.template,
        assets: s.assets,
        cdkOut,
        stackName: s.stackName,
        endpoint,
        region,
        parameters: opts.parameters,
      });
      results.push(
        await executePlan({
          planner,
          clients,
          endpoint,
          stateDir,
          onResource: (r) => opts.onResource?.(s.stackName, r),
        }),
      );
    }
  } catch (err) {
    // An endpoint that went away mid-deploy reads better as such than as a socket error.
    if (!(err instanceof DeployError) && !(await endpointAnswers(endpoint)))
      throw new DeployError(noCloudMessage(endpoint, stateDir));
    throw err;
  } finally {
    for (const c of [
      clients.kinesis,
      clients.dynamodb,
      clients.sqs,
      clients.lambda,
      clients.cloudwatch,
    ])
      c.destroy();
  }

  const outputsFile = join(stateDir, 'outputs.json');
  mkdirSync(stateDir, { recursive: true });
  writeFileSync(
    outputsFile,
    `${JSON.stringify(Object.fromEntries(results.map((r) => [r.stackName, r.outputs])), null, 2)}\n`,
  );
  return { endpoint, stacks: results, outputsFile, synthMs, deployMs: Date.now() - deployStart };
}
