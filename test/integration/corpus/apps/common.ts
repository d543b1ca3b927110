/**
 * What the corpus apps share: a NodejsFunction as people write them (CDK's
 * defaults: CommonJS bundle, @aws-sdk/* left to the runtime, local esbuild),
 * and the apps' registry entry.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, type App, type Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Construct } from 'constructs';

const HANDLERS = join(dirname(fileURLToPath(import.meta.url)), '..', 'handlers');

export interface CorpusApp {
  /** the stack's name and the app's directory name in the assembly cache */
  name: string;
  build(app: App): Stack;
}

export function nodeFunction(
  scope: Construct,
  id: string,
  handler: string,
  environment: Record<string, string> = {},
  extra: Partial<ConstructorParameters<typeof NodejsFunction>[2]> = {},
): NodejsFunction {
  return new NodejsFunction(scope, id, {
    entry: join(HANDLERS, `${handler}.ts`),
    runtime: lambda.Runtime.NODEJS_22_X,
    timeout: Duration.seconds(10),
    environment,
    bundling: { minify: true, sourceMap: false },
    ...extra,
  });
}
