/**
 * deploy:local end to end, a shortcut over the cloud's own CloudFormation
 * (the one deploy engine `cdk deploy` drives too): `cdk synth` (unless told
 * to reuse cdk.out), check that a local cloud answers and that every
 * template can run there, bootstrap if needed, publish the assets to S3,
 * deploy each stack with a change set, then write the stacks' outputs to
 * .streamscale/outputs.json (the format of `cdk deploy --outputs-file`).
 * Used by the CLI, `npm start` and tests.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { ACCOUNT_ID, DEFAULT_EDGE_PORT, DEFAULT_REGION, DEPLOY_CLIENT } from '../config';
import { DeployError } from './appliers/types';
import { readAssembly, type AssemblyStack } from './cloud-assembly';
import type { DeployedResource } from './execute';
import { readLocalCloudState, DEFAULT_STATE_DIR } from './local-cloud-state';
import { ensureBootstrapped, placeholders, publishAssets } from './publish-assets';
import { deployStack, type StackDeployResult } from './stack-deploy';
import { checkTemplate } from './template-check';
import type { Json } from './template';

const LOCAL_ENDPOINT = `http://127.0.0.1:${DEFAULT_EDGE_PORT}`;

export interface DeployLocalOptions {
  /** Edge endpoint; default AWS_ENDPOINT_URL, else http://127.0.0.1:4566. */
  endpoint?: string;
  /** Cloud assembly directory; default <projectRoot>/cdk.out. */
  cdkOut?: string;
  /** Run `npx cdk synth -q` first (default true). */
  synth?: boolean;
  /** Repository root (where cdk.json is); default the current directory. */
  projectRoot?: string;
  /** Where outputs.json goes; default <projectRoot>/.streamscale. */
  stateDir?: string;
  region?: string;
  /** Deploy only these stacks (by stack name); default every stack of the assembly. */
  stacks?: string[];
  /** Template parameter values, for every stack. */
  parameters?: Record<string, Json>;
  /** Resource types the cloud does not emulate are errors up front, not warnings. */
  strict?: boolean;
  log?: (line: string) => void;
  onResource?: (stackName: string, r: DeployedResource) => void;
  /** Stops the deploy: the synth is killed, no further stack is started (a stack under way finishes). */
  signal?: AbortSignal;
}

export interface DeployLocalStack extends StackDeployResult {
  stackName: string;
}

export interface DeployLocalResult {
  endpoint: string;
  stacks: DeployLocalStack[];
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

/** What answers at an endpoint: HTTP, nothing (connection refused), or a connection that stays silent. */
export type EndpointProbe = 'answers' | 'refused' | 'silent';

/** Looks once at `endpoint` (a refused connection fails at once; a busy machine gets a few seconds). */
export async function probeEndpoint(
  endpoint: string,
  timeoutMs: number = DEPLOY_CLIENT.probeTimeoutMs,
): Promise<EndpointProbe> {
  try {
    await fetch(endpoint, { method: 'GET', signal: AbortSignal.timeout(timeoutMs) });
    return 'answers';
  } catch (err) {
    if (process.env.STREAMSCALE_DEBUG)
      process.stderr.write(
        `probe ${endpoint}: ${String((err as { cause?: unknown }).cause ?? err)}\n`,
      );
    return (err as { name?: string }).name === 'TimeoutError' ? 'silent' : 'refused';
  }
}

/** True if anything answers HTTP at the endpoint. */
export async function endpointAnswers(
  endpoint: string,
  timeoutMs: number = DEPLOY_CLIENT.probeTimeoutMs,
): Promise<boolean> {
  return (await probeEndpoint(endpoint, timeoutMs)) === 'answers';
}

/** Something listens at `endpoint` and does not answer HTTP in time. */
export const silentCloudMessage = (endpoint: string, timeoutMs: number) =>
  `${endpoint} accepted the connection but did not answer within ${timeoutMs / 1000} s — the cloud there is stuck or overloaded (or not an AWS endpoint)`;

/** The deploy's check of the endpoint, as a DeployError that names it. */
async function checkEndpoint(endpoint: string, stateDir: string): Promise<void> {
  const probe = await probeEndpoint(endpoint);
  if (probe === 'silent')
    throw new DeployError(silentCloudMessage(endpoint, DEPLOY_CLIENT.probeTimeoutMs));
  if (probe === 'refused') throw new DeployError(noCloudMessage(endpoint, stateDir));
}

/** `npx cdk synth -q` in the project root, writing to cdkOut. */
export async function runSynth(
  projectRoot: string,
  cdkOut: string,
  log: (line: string) => void,
  signal?: AbortSignal,
): Promise<void> {
  log(`synthesizing: npx cdk synth -q -o ${cdkOut}`);
  const output: string[] = [];
  const code = await new Promise<number | null>((done, fail) => {
    const child = spawn('npx', ['cdk', 'synth', '-q', '-o', cdkOut], {
      cwd: projectRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: process.env,
      // Aborted: node sends the child SIGTERM and fails this with an AbortError.
      signal,
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

function selectStacks(
  all: AssemblyStack[],
  names: string[] | undefined,
  cdkOut: string,
): AssemblyStack[] {
  if (!names || names.length === 0) return all;
  const unknown = names.filter((n) => !all.some((s) => s.stackName === n || s.id === n));
  if (unknown.length > 0)
    throw new DeployError(
      `no stack ${unknown.join(', ')} in ${cdkOut}; it has ${all.map((s) => s.stackName).join(', ')}`,
    );
  return all.filter((s) => names.includes(s.stackName) || names.includes(s.id));
}

/** Refuse up front what the cloud cannot run; print what it only records. */
function checkStacks(stacks: AssemblyStack[], strict: boolean, log: (l: string) => void): void {
  for (const s of stacks) {
    const check = checkTemplate(s.template, strict);
    for (const w of check.warnings) log(`warning: ${s.stackName}: ${w}`);
    if (check.errors.length > 0)
      throw new DeployError(
        `${s.stackName} cannot be deployed here, nothing was created:\n  ${check.errors.join('\n  ')}`,
      );
  }
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
    opts.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? DEFAULT_REGION;

  // Check the endpoint before a slow synth, so a missing cloud is reported at once.
  await checkEndpoint(endpoint, stateDir);

  const synthStart = Date.now();
  if (opts.synth !== false) await runSynth(projectRoot, cdkOut, log, opts.signal);
  const synthMs = Date.now() - synthStart;
  const stacks = selectStacks(orderStacks(readAssembly(cdkOut)), opts.stacks, cdkOut);
  checkStacks(stacks, opts.strict ?? false, log);

  const c = apiClients(endpoint, region);
  const deployStart = Date.now();
  const results: DeployLocalStack[] = [];
  try {
    const parameters = new Set(
      stacks.map((s) => s.bootstrapParameter).filter((p) => p !== undefined),
    );
    for (const p of parameters) await ensureBootstrapped(c, p, log);
    for (const s of stacks) {
      opts.signal?.throwIfAborted();
      log(`deploying ${s.stackName} to ${endpoint}`);
      const uploaded = await publishAssets(c.s3, s, ACCOUNT_ID, region);
      if (uploaded > 0) log(`  published ${uploaded} asset${uploaded > 1 ? 's' : ''}`);
      const where = s.templateUrl ? placeholders(s.templateUrl, ACCOUNT_ID, region) : undefined;
      const templateUrl = where?.replace(/^s3:\/\//, `${endpoint}/`);
      const r = await deployStack(c.cfn, {
        stackName: s.stackName,
        ...(templateUrl ? { templateUrl } : { templateBody: JSON.stringify(s.template) }),
        parameters: opts.parameters,
        log,
      });
      for (const res of r.resources) opts.onResource?.(s.stackName, res);
      results.push({ stackName: s.stackName, ...r });
    }
  } catch (err) {
    // An endpoint that went away (or went silent) mid-deploy reads better as such than as a socket error.
    if (err instanceof DeployError || opts.signal?.aborted) throw err;
    await checkEndpoint(endpoint, stateDir);
    if ((err as { name?: string }).name === 'TimeoutError')
      throw new DeployError(
        `${endpoint} stopped answering during the deploy: ${(err as Error).message.split('\n')[0]}`,
      );
    throw err;
  } finally {
    for (const client of Object.values(c)) client.destroy();
  }

  const outputsFile = join(stateDir, 'outputs.json');
  mkdirSync(stateDir, { recursive: true });
  writeFileSync(
    outputsFile,
    `${JSON.stringify(Object.fromEntries(results.map((r) => [r.stackName, r.outputs])), null, 2)}\n`,
  );
  return { endpoint, stacks: results, outputsFile, synthMs, deployMs: Date.now() - deployStart };
}

function apiClients(endpoint: string, region: string) {
  // Each client its own handler, with timeouts: a cloud gone silent mid-deploy fails it.
  const common = () => ({
    endpoint,
    region,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    requestHandler: new NodeHttpHandler({
      connectionTimeout: DEPLOY_CLIENT.connectTimeoutMs,
      requestTimeout: DEPLOY_CLIENT.requestTimeoutMs,
      throwOnRequestTimeout: true,
    }),
  });
  return {
    cfn: new CloudFormationClient(common()),
    s3: new S3Client({ ...common(), forcePathStyle: true }),
    ssm: new SSMClient(common()),
  };
}
