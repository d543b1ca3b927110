/**
 * `deploy` figures: the user's commands against the embedded cloud, through
 * cdklocal and the pinned CDK CLI, as the README gives them — bootstrap
 * (`--app ''`: with its environment given it needs no app, and the CLI would
 * synthesize the app first otherwise) + first deploy of the project's stack
 * including synth (goal <= 60 s), a deploy with no changes
 * (goal <= 15 s; measured with the CLI's synth, as typed, and with the
 * assembly reused), and destroy (goal <= 10 s), after which no stream,
 * table, function or mapping may be left.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { ListEventSourceMappingsCommand, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import {
  internalDynamoClient,
  internalKinesisClient,
  internalLambdaClient,
} from '../../../localcloud/internal-clients';
import { startLocalCloud } from '../../../localcloud/start-local-cloud';
import { cdklocal } from '../../support/cdklocal';
import type { BenchFigure } from '../run';

export const name = 'deploy';

const CLI_TIMEOUT_MS = 600_000;

async function leftovers(endpoint: string): Promise<number> {
  const opts = { endpoint, region: 'us-east-1' };
  const kinesis = internalKinesisClient(opts);
  const dynamo = internalDynamoClient(opts);
  const lambda = internalLambdaClient(opts);
  try {
    return (
      ((await kinesis.send(new ListStreamsCommand({}))).StreamNames ?? []).length +
      ((await dynamo.send(new ListTablesCommand({}))).TableNames ?? []).length +
      ((await lambda.send(new ListFunctionsCommand({}))).Functions ?? []).length +
      ((await lambda.send(new ListEventSourceMappingsCommand({}))).EventSourceMappings ?? []).length
    );
  } finally {
    for (const c of [kinesis, dynamo, lambda]) c.destroy();
  }
}

export async function run(): Promise<BenchFigure[]> {
  const cloud = await startLocalCloud({ port: 0, log: () => {} });
  const out = mkdtempSync(join(tmpdir(), 'bench-cdklocal-'));
  const cdkOut = join(out, 'cdk.out');
  const step = async (args: string[]) => {
    const r = await cdklocal(args, cloud.endpoint, CLI_TIMEOUT_MS);
    if (r.code !== 0) throw new Error(`cdklocal ${args[0]} failed:\n${r.output.slice(-2000)}`);
    return r.ms / 1000;
  };
  const figures: BenchFigure[] = [];
  const goal = (figure: string, value: number, limit: number) =>
    figures.push({ figure, value, unit: 's', goal: `<= ${limit} s`, met: value <= limit });
  try {
    const boot = await step(['bootstrap', 'aws://000000000000/us-east-1', '--app', '']);
    const first = await step(['deploy', '--require-approval', 'never', '-o', cdkOut]);
    figures.push({ figure: "cdklocal bootstrap --app ''", value: boot, unit: 's' });
    figures.push({ figure: 'cdklocal deploy, first (synth included)', value: first, unit: 's' });
    goal('bootstrap + first deploy, synth included', boot + first, 60);
    goal(
      'no-change deploy as typed (CLI synthesizes again)',
      await step(['deploy', '--require-approval', 'never', '-o', cdkOut]),
      15,
    );
    goal(
      'no-change deploy, assembly reused (--app cdk.out)',
      await step(['deploy', '--app', cdkOut, '--require-approval', 'never']),
      15,
    );
    goal('cdklocal destroy', await step(['destroy', '--app', cdkOut, '--force']), 10);
    const left = await leftovers(cloud.endpoint);
    figures.push({
      figure: 'streams, tables, functions, mappings left after destroy',
      value: left,
      unit: '',
      goal: '0',
      met: left === 0,
    });
  } finally {
    await cloud.stop();
    rmSync(out, { recursive: true, force: true });
  }
  return figures;
}
