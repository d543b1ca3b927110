/**
 * The planner on the project's real stack (built in-process with
 * infra/build-app.ts, without esbuild bundling, and synthesized to a temp
 * cloud assembly): every resource type is either created or knowingly
 * accepted, the order satisfies every reference, nothing is left
 * unresolved except the one value only the service assigns (the mapping
 * UUID the scaler needs), code points at the asset directories, and the
 * dashboard body is valid JSON naming the pipeline's resources.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENV_KEYS, resolveConfig, resourceNames } from '../../../../functions/config';
import { buildApp } from '../../../../infra/build-app';
import { readAssembly, type AssemblyStack } from '../../../../localcloud/deploy/cloud-assembly';
import { referencedResources } from '../../../../localcloud/deploy/intrinsics';
import { planDeployment, type DeployPlan } from '../../../../localcloud/deploy/plan';
import { ACCEPTED_TYPES, EMULATED_TYPES } from '../../../../localcloud/deploy/resource-types';
import type { Json } from '../../../../localcloud/deploy/template';

const config = resolveConfig({ prefix: 'ssplan' });
const names = resourceNames(config.prefix);
const ENDPOINT = 'http://127.0.0.1:4566';

let outdir: string;
let stack: AssemblyStack;
let plan: DeployPlan;

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'deploy-plan-stack-'));
  buildApp({ config, bundle: false, outdir }).app.synth();
  const stacks = readAssembly(outdir);
  expect(stacks).toHaveLength(1);
  stack = stacks[0]!;
  plan = planDeployment({
    template: stack.template,
    assets: stack.assets,
    cdkOut: outdir,
    stackName: stack.stackName,
    endpoint: ENDPOINT,
  });
});
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

const ofType = (type: string) => plan.resources.filter((r) => r.type === type);

/** Every string in a JSON value that still looks like an unresolved intrinsic or placeholder. */
function leftovers(v: Json, path = ''): string[] {
  if (Array.isArray(v)) return v.flatMap((x, i) => leftovers(x, `${path}[${i}]`));
  if (v && typeof v === 'object') {
    return Object.entries(v).flatMap(([k, x]) =>
      k === 'Ref' || k.startsWith('Fn::') ? [`${path}.${k}`] : leftovers(x, `${path}.${k}`),
    );
  }
  return typeof v === 'string' && /^<.+\..+>$/.test(v) ? [`${path} = ${v}`] : [];
}

describe('deploy planner on the project stack', () => {
  it('knows every resource type in the template (created or accepted on purpose)', () => {
    const known = new Set([...Object.keys(EMULATED_TYPES), ...Object.keys(ACCEPTED_TYPES)]);
    const unknown = [...new Set(plan.resources.map((r) => r.type))].filter((t) => !known.has(t));
    expect(unknown).toEqual([]);
    expect(ofType('AWS::Kinesis::Stream').map((r) => r.physicalName)).toEqual([names.stream]);
    expect(
      ofType('AWS::DynamoDB::Table')
        .map((r) => r.physicalName)
        .sort(),
    ).toEqual([names.controlTable, names.rejectsTable, names.windowsTable].sort());
    expect(
      ofType('AWS::Lambda::Function')
        .map((r) => r.physicalName)
        .sort(),
    ).toEqual([names.closerFunction, names.consumerFunction, names.scalerFunction].sort());
    expect(ofType('AWS::SQS::Queue').map((r) => r.physicalName)).toEqual([names.failureQueue]);
    expect(ofType('AWS::Lambda::EventSourceMapping')).toHaveLength(1);
    expect(ofType('AWS::Events::Rule').length).toBeGreaterThanOrEqual(2);
    expect(ofType('AWS::CloudWatch::Dashboard').map((r) => r.physicalName)).toEqual([
      names.dashboard,
    ]);
  });

  it('orders every resource after everything it refers to', () => {
    const position = new Map(plan.resources.map((r, i) => [r.logicalId, i]));
    for (const r of plan.resources) {
      const raw = stack.template.Resources[r.logicalId]!;
      const deps = referencedResources((raw.Properties ?? {}) as Json, stack.template);
      for (const d of [...deps, ...(raw.DependsOn === undefined ? [] : [raw.DependsOn].flat())]) {
        expect(position.get(d), `${d} before ${r.logicalId}`).toBeLessThan(
          position.get(r.logicalId)!,
        );
      }
    }
  });

  it('resolves everything except the mapping UUID, which only the service assigns', () => {
    const mapping = ofType('AWS::Lambda::EventSourceMapping')[0]!;
    const unresolved = plan.resources.flatMap((r) => leftovers(r.properties as Json, r.logicalId));
    // The scaler's environment names the consumer's mapping (SCALER_MAPPING_UUID); the executor fills it in.
    expect(unresolved).toEqual([
      `${scalerId()}.Environment.Variables.${ENV_KEYS.scalerMappingUuid} = <${mapping.logicalId}.Ref>`,
    ]);
    expect(mapping.properties.EventSourceArn).toBe(
      `arn:aws:kinesis:us-east-1:000000000000:stream/${names.stream}`,
    );
    expect(mapping.properties.FunctionName).toBe(names.consumerFunction);
    expect(
      (mapping.properties.DestinationConfig as { OnFailure: { Destination: string } }).OnFailure
        .Destination,
    ).toBe(`arn:aws:sqs:us-east-1:000000000000:${names.failureQueue}`);
  });

  it('gives each function its asset directory and the template environment', () => {
    for (const fn of ofType('AWS::Lambda::Function')) {
      const code = fn.properties.Code as { S3Bucket: string; S3Key: string };
      expect(code.S3Bucket).toBe('hot-reload');
      // The asset the template's S3 key names, as a local directory (bundle:false stages none, so it is the source path).
      const key = (stack.template.Resources[fn.logicalId]!.Properties!.Code as { S3Key: string })
        .S3Key;
      const asset = stack.assets!.files![key.replace(/\.zip$/, '')]!;
      expect(code.S3Key).toBe(resolve(outdir, asset.source.path!));
      const env = (fn.properties.Environment as { Variables: Record<string, string> }).Variables;
      expect(JSON.parse(env[ENV_KEYS.config]!).prefix).toBe(config.prefix);
    }
  });

  it('resolves the dashboard body to JSON and the outputs to the pipeline names', () => {
    const body = ofType('AWS::CloudWatch::Dashboard')[0]!.properties.DashboardBody;
    expect(typeof body).toBe('string');
    const parsed = JSON.parse(body as string) as { widgets: unknown[] };
    expect(parsed.widgets.length).toBeGreaterThan(0);
    expect(body as string).toContain(names.stream);
    expect(plan.outputs.StreamName).toBe(names.stream);
    expect(plan.outputs.WindowsTable).toBe(names.windowsTable);
    expect(plan.outputs.FailureQueueUrl).toBe(`${ENDPOINT}/000000000000/${names.failureQueue}`);
  });
});

function scalerId(): string {
  return ofType('AWS::Lambda::Function').find((f) => f.physicalName === names.scalerFunction)!
    .logicalId;
}
