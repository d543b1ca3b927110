/**
 * What `cdk deploy` does before CloudFormation, done in process for
 * deploy:local: bootstrap the environment if it is not (the CDK's own
 * bootstrap template, deployed as the CDKToolkit stack through the cloud's
 * CloudFormation), then publish the stack's file assets to the bootstrap
 * bucket as cdk-assets does (directories zipped, unchanged objects skipped).
 */
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join } from 'node:path';
import { CreateStackCommand, type CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { DeployError, errorName } from './appliers/types';
import type { AssemblyStack } from './cloud-assembly';
import { waitForStack } from './stack-deploy';
import { zipDirectory } from './zip-directory';

export const DEFAULT_BOOTSTRAP_PARAMETER = '/cdk-bootstrap/hnb659fds/version';
export const TOOLKIT_STACK = 'CDKToolkit';

/** ${AWS::AccountId} / ${AWS::Region} / ${AWS::Partition} as cdk-assets fills them in. */
export function placeholders(text: string, account: string, region: string): string {
  return text
    .replace(/\$\{AWS::AccountId\}/g, account)
    .replace(/\$\{AWS::Region\}/g, region)
    .replace(/\$\{AWS::Partition\}/g, 'aws');
}

function bootstrapTemplate(): string {
  const require = createRequire(import.meta.url);
  const root = dirname(require.resolve('aws-cdk/package.json'));
  return readFileSync(join(root, 'lib', 'api', 'bootstrap', 'bootstrap-template.yaml'), 'utf8');
}

/** Bootstrap (CDKToolkit) unless the version parameter says it is there. */
export async function ensureBootstrapped(
  c: { cfn: CloudFormationClient; ssm: SSMClient },
  parameter: string,
  log: (line: string) => void,
): Promise<boolean> {
  try {
    await c.ssm.send(new GetParameterCommand({ Name: parameter }));
    return false;
  } catch (err) {
    if (errorName(err) !== 'ParameterNotFound') throw err;
  }
  const qualifier = /^\/cdk-bootstrap\/([^/]+)\/version$/.exec(parameter)?.[1] ?? 'hnb659fds';
  log(`bootstrapping: ${TOOLKIT_STACK} (qualifier ${qualifier}), as \`cdk bootstrap\` does`);
  await c.cfn.send(
    new CreateStackCommand({
      StackName: TOOLKIT_STACK,
      TemplateBody: bootstrapTemplate(),
      Capabilities: ['CAPABILITY_NAMED_IAM'],
      Parameters: [{ ParameterKey: 'Qualifier', ParameterValue: qualifier }],
    }),
  );
  const done = await waitForStack(c.cfn, TOOLKIT_STACK, Date.now(), () => {});
  if (done.status !== 'CREATE_COMPLETE')
    throw new DeployError(`bootstrap failed: ${done.status} ${done.reason ?? ''}`.trim());
  return true;
}

/** Publish every file asset of the stack; returns how many were uploaded (the rest were there). */
export async function publishAssets(
  s3: S3Client,
  stack: AssemblyStack,
  account: string,
  region: string,
): Promise<number> {
  let uploaded = 0;
  for (const asset of Object.values(stack.assets?.files ?? {})) {
    const path = asset.source.path;
    if (!path) continue;
    const source = isAbsolute(path) ? path : join(stack.directory, path);
    for (const d of Object.values(asset.destinations ?? {})) {
      const Bucket = placeholders(String(d.bucketName), account, region);
      const Key = placeholders(String(d.objectKey), account, region);
      try {
        await s3.send(new HeadObjectCommand({ Bucket, Key }));
        continue;
      } catch (err) {
        if (!['NotFound', 'NoSuchKey'].includes(errorName(err))) throw err;
      }
      const zip = asset.source.packaging === 'zip' || statSync(source).isDirectory();
      const Body = zip ? zipDirectory(source) : readFileSync(source);
      await s3.send(
        new PutObjectCommand({
          Bucket,
          Key,
          Body,
          ContentType: zip ? 'application/zip' : 'application/octet-stream',
        }),
      );
      uploaded++;
    }
  }
  return uploaded;
}
