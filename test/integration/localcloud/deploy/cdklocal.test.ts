/**
 * The user's commands, offline and without Docker: the pinned CDK CLI
 * (aws-cdk 2.1148.1) through cdklocal against the embedded cloud —
 * bootstrap, deploy (assets to S3, a change set, the stack's functions
 * created from the S3 zips), then a small spike with the project's
 * producer through the stack cdklocal deployed, compared exactly with the
 * offline recomputation and the independent oracle once settled; diff (no
 * differences) and a no-change deploy run while the spike is processed (so
 * the spike costs the test little more than its own seconds), and destroy
 * leaves no stream, table, function or mapping behind. The app is the spike
 * tests' synthesized assembly (`--app <cdk.out>`, test/support/spike-stack.ts),
 * shared with the spike end-to-end test.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { ListEventSourceMappingsCommand, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kinesisClient } from '../../../../functions/aws/clients';
import { resolveConfig, resourceNames } from '../../../../functions/config';
import { readRecordLog, RecordLog } from '../../../../producer/record-log';
import { planSpike } from '../../../../producer/spike-plan';
import { runSpike } from '../../../../producer/spike-runner';
import { waitUntilSettled } from '../../../../tools/demo/pipeline-settle';
import { recompute } from '../../../e2e/offline-recompute';
import { canonical, diff, pipelineResults } from '../../../e2e/results-compare';
import {
  compare as oracleCompare,
  readActual,
  recompute as oracleRecompute,
} from '../../../support/oracle';
import {
  SPIKE_CLOUD,
  SPIKE_LATENESS_MS,
  SPIKE_SETTLE_MS,
  SPIKE_STACK,
  SPIKE_WINDOW_MS,
} from '../../../support/spike-stack';
import { synthesizedAssembly, SYNTH_TIMEOUT_MS } from '../../../support/synth-cache';
import {
  internalDynamoClient,
  internalKinesisClient,
  internalLambdaClient,
} from '../../../../localcloud/internal-clients';
import { startLocalCloud, type LocalCloud } from '../../../../localcloud/start-local-cloud';
import { cdklocal } from '../../../support/cdklocal';

/** One CLI run on a busy 2-core machine: the CLI's own start-up dominates. */
const CLI_TIMEOUT_MS = 240_000;
const NAMES = resourceNames(resolveConfig(SPIKE_STACK).prefix);
/** A small spike: a second producer for 2 of its 5 seconds, about 700 records. */
const SPIKE = { producers: 1, spikeProducers: 1, baselineS: 2, spikeS: 2, cooldownS: 1 };

let cloud: LocalCloud;
let cdkOut: string;
let workDir: string;

beforeAll(async () => {
  const config = resolveConfig(SPIKE_STACK);
  // The functions read the configuration from here too (as the pipeline harness sets it).
  process.env.STREAMSCALE_CONFIG = JSON.stringify(config);
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
  cdkOut = await synthesizedAssembly({ STREAMSCALE_CONFIG: JSON.stringify(config) });
  workDir = mkdtempSync(join(tmpdir(), 'streamscale-cdklocal-'));
  cloud = await startLocalCloud({ port: 0, ...SPIKE_CLOUD, log: () => {} });
}, SYNTH_TIMEOUT_MS + 60_000);
afterAll(async () => {
  await cloud?.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

/** The project's producer against the deployed stream; the accepted records in a --record log. */
async function spike(logPath: string): Promise<{ accepted: number; lastWindowEndMs: number }> {
  const producer = kinesisClient({ endpoint: cloud.endpoint, region: 'us-east-1', maxAttempts: 1 });
  const log = new RecordLog(logPath);
  let maxValid = -Infinity;
  const summary = await runSpike({
    client: producer,
    streamName: NAMES.stream,
    plan: planSpike(SPIKE),
    ratePerProducer: 100,
    generator: {
      seed: 12,
      users: 50,
      lateFraction: 0.03,
      malformedFraction: 0.03,
      outOfOrderS: 2,
      allowedLatenessMs: SPIKE_LATENESS_MS,
      windowSizeMs: SPIKE_WINDOW_MS,
    },
    onAccepted: (r, g) => {
      log.write(r);
      if (g.kind === 'valid') maxValid = Math.max(maxValid, JSON.parse(g.data).timestamp * 1000);
    },
  });
  await log.close();
  producer.destroy();
  expect(summary.abandoned).toBe(0);
  expect(summary.stats.accepted).toBe(summary.stats.generated);
  const window = SPIKE_WINDOW_MS;
  return {
    accepted: summary.stats.accepted,
    lastWindowEndMs: Math.floor(maxValid / window) * window + window,
  };
}

describe('cdklocal against the embedded cloud', () => {
  it(
    'bootstraps, deploys, diffs, redeploys and destroys the stack',
    { timeout: 6 * CLI_TIMEOUT_MS + SPIKE_SETTLE_MS },
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

      const deployed = await run(['deploy', '--app', cdkOut, '--require-approval', 'never']);
      expect(deployed).toContain(`${NAMES.stack}.StreamName = ${NAMES.stream}`);
      const cfn = new CloudFormationClient({
        endpoint: cloud.endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      });
      const stack = (await cfn.send(new DescribeStacksCommand({ StackName: NAMES.stack })))
        .Stacks![0]!;
      expect(stack.StackStatus).toBe('CREATE_COMPLETE');
      const lambda = internalLambdaClient({ endpoint: cloud.endpoint, region: 'us-east-1' });
      const fn = (await lambda.send(new ListFunctionsCommand({}))).Functions!.find(
        (f) => f.FunctionName === NAMES.consumerFunction,
      );
      expect(fn).toBeDefined();

      // The pipeline cdklocal deployed, end to end; diff and a no-change deploy meanwhile.
      const logPath = join(workDir, 'records.jsonl');
      const produced = await spike(logPath);
      expect(await run(['diff', '--app', cdkOut])).toMatch(/There were no differences/);
      expect(await run(['deploy', '--app', cdkOut, '--require-approval', 'never'])).toMatch(
        /no changes/,
      );
      const dynamo = internalDynamoClient({ endpoint: cloud.endpoint, region: 'us-east-1' });
      const settled = await waitUntilSettled({
        client: dynamo,
        names: NAMES,
        ...produced,
        timeoutMs: SPIKE_SETTLE_MS,
        pollMs: 1_000,
      });
      expect(settled.drained && settled.closed, JSON.stringify(settled.snapshot.global)).toBe(true);
      const lines = readRecordLog(logPath);
      const config = resolveConfig(SPIKE_STACK);
      const expected = recompute(lines, config, Date.now());
      const got = pipelineResults(settled.snapshot);
      expect(diff(canonical(got.byWindow), canonical(expected.byWindow))).toEqual({
        onlyInPipeline: [],
        onlyExpected: [],
      });
      expect(got.finalRecords + got.lateRecords).toBe(expected.valid);
      expect(settled.snapshot.rejects.length).toBe(expected.rejects.size);
      const oracle = oracleRecompute(lines, {
        windowSizeMs: SPIKE_WINDOW_MS,
        futureLimitMs: Date.now() + config.windowing.maxFutureSkewMs,
      });
      expect(oracleCompare(oracle, await readActual(dynamo, config.prefix))).toEqual([]);

      await run(['destroy', '--app', cdkOut, '--force']);
      await expect(cfn.send(new DescribeStacksCommand({ StackName: NAMES.stack }))).rejects.toThrow(
        'does not exist',
      );
      const kinesis = internalKinesisClient({ endpoint: cloud.endpoint, region: 'us-east-1' });
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
