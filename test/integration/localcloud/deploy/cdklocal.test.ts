/**
 * The user's commands, offline and without Docker: the pinned CDK CLI
 * (aws-cdk 2.1148.1) through cdklocal against the embedded cloud —
 * bootstrap, deploy (assets to S3, a change set, the stack's functions
 * created from the S3 zips), diff (no differences), a no-change deploy, and
 * destroy, which leaves no stream, table, function or mapping behind. The
 * app is the project's synthesized assembly (`--app <cdk.out>`).
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { ListEventSourceMappingsCommand, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSynth } from '../../../../localcloud/deploy/deploy-local';
import {
  internalDynamoClient,
  internalKinesisClient,
  internalLambdaClient,
} from '../../../../localcloud/internal-clients';
import { startLocalCloud, type LocalCloud } from '../../../../localcloud/start-local-cloud';
import { cdklocal, ROOT } from '../../../support/cdklocal';

const CDK_OUT = join(ROOT, 'test-artifacts', 'cdklocal', 'cdk.out');
/** One CLI run on a busy 2-core machine: the CLI's own start-up dominates. */
const CLI_TIMEOUT_MS = 240_000;

let cloud: LocalCloud;

beforeAll(async () => {
  const manifest = join(CDK_OUT, 'manifest.json');
  if (!existsSync(manifest) || statSync(manifest).mtimeMs < Date.now() - 3_600_000)
    await runSynth(ROOT, CDK_OUT, () => {});
  cloud = await startLocalCloud({ port: 0, log: () => {} });
}, 300_000);
afterAll(async () => {
  await cloud?.stop();
});

describe('cdklocal against the embedded cloud', () => {
  it(
    'bootstraps, deploys, diffs, redeploys and destroys the stack',
    { timeout: 6 * CLI_TIMEOUT_MS },
    async () => {
      const run = async (args: string[]) => {
        const r = await cdklocal(args, cloud.endpoint, CLI_TIMEOUT_MS);
        if (r.code !== 0)
          throw new Error(`cdklocal ${args.join(' ')} exited ${r.code}:\n${r.output.slice(-3000)}`);
        return r.output;
      };
      expect(await run(['bootstrap', 'aws://000000000000/us-east-1'])).toMatch(
        /Environment aws:\/\/000000000000\/us-east-1 bootstrapped/,
      );

      const deployed = await run(['deploy', '--app', CDK_OUT, '--require-approval', 'never']);
      expect(deployed).toMatch(/Streamscale\.StreamName = streamscale-events/);
      const cfn = new CloudFormationClient({
        endpoint: cloud.endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      });
      const stack = (await cfn.send(new DescribeStacksCommand({ StackName: 'Streamscale' })))
        .Stacks![0]!;
      expect(stack.StackStatus).toBe('CREATE_COMPLETE');
      const lambda = internalLambdaClient({ endpoint: cloud.endpoint, region: 'us-east-1' });
      const fn = (await lambda.send(new ListFunctionsCommand({}))).Functions!.find(
        (f) => f.FunctionName === 'streamscale-consumer',
      );
      expect(fn).toBeDefined();

      expect(await run(['diff', '--app', CDK_OUT])).toMatch(/There were no differences/);
      expect(await run(['deploy', '--app', CDK_OUT, '--require-approval', 'never'])).toMatch(
        /no changes/,
      );

      await run(['destroy', '--app', CDK_OUT, '--force']);
      await expect(
        cfn.send(new DescribeStacksCommand({ StackName: 'Streamscale' })),
      ).rejects.toThrow('does not exist');
      const kinesis = internalKinesisClient({ endpoint: cloud.endpoint, region: 'us-east-1' });
      const dynamo = internalDynamoClient({ endpoint: cloud.endpoint, region: 'us-east-1' });
      expect((await kinesis.send(new ListStreamsCommand({}))).StreamNames).toEqual([]);
      expect((await dynamo.send(new ListTablesCommand({}))).TableNames).toEqual([]);
      expect((await lambda.send(new ListFunctionsCommand({}))).Functions).toEqual([]);
      expect(
        (await lambda.send(new ListEventSourceMappingsCommand({}))).EventSourceMappings,
      ).toEqual([]);
      for (const c of [cfn, lambda, kinesis, dynamo]) c.destroy();
    },
  );
});
