/**
 * One of the pipeline's Lambda functions: a NodejsFunction bundled locally by
 * esbuild (no Docker), its own role with no managed policies, and its own log
 * group with a retention. Every function gets the same bundling, runtime and
 * environment rules, so they live here once.
 */
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, LogLevel } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { toEnv, type StreamscaleConfig } from '../functions/config';

/** Repository root: infra/ sits directly under it. */
export const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The runtime the spec asks for; bundles are built for it. */
export const FUNCTION_RUNTIME = lambda.Runtime.NODEJS_22_X;

/**
 * ESM bundles still contain CommonJS dependencies (parts of the AWS SDK and
 * Powertools call `require`), which an ES module has no binding for; the
 * banner gives them one.
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __streamscaleCreateRequire } from 'node:module'; const require = __streamscaleCreateRequire(import.meta.url);";

export interface PipelineFunctionProps {
  config: StreamscaleConfig;
  /** Full function name, e.g. `<prefix>-consumer`. */
  functionName: string;
  /** Handler source under functions/handlers/, without extension; it exports `handler`. */
  handlerFile: 'consumer' | 'closer' | 'scaler';
  description: string;
  memoryMb: number;
  timeout: Duration;
  /** Extra environment on top of the config's (toEnv) and Powertools'. */
  environment?: Record<string, string>;
}

export class PipelineFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: PipelineFunctionProps) {
    super(scope, id);
    const { config } = props;

    // A role of our own instead of AWSLambdaBasicExecutionRole: the managed
    // policy may write to any log group (cdk-nag IAM4); this one only to its own.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.functionName}: execution role (least privilege)`,
    });

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/aws/lambda/${props.functionName}`,
      // deployable-config.ts has checked it is a RetentionDays value.
      retention: config.logRetentionDays as logs.RetentionDays,
      // Demo stack: logs go with it.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // The log group's Arn attribute ends in ":*", which covers its log streams only.
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'WriteOwnLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );

    this.fn = new NodejsFunction(this, 'Function', {
      functionName: props.functionName,
      description: props.description,
      entry: join(PROJECT_ROOT, 'functions', 'handlers', `${props.handlerFile}.ts`),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      runtime: FUNCTION_RUNTIME,
      // x86_64 (the default): LocalStack runs it natively on common hosts, and the cost model prices x86.
      architecture: lambda.Architecture.X86_64,
      memorySize: props.memoryMb,
      timeout: props.timeout,
      role: this.role,
      logGroup: this.logGroup,
      environment: {
        ...toEnv(config),
        POWERTOOLS_SERVICE_NAME: props.functionName,
        POWERTOOLS_METRICS_NAMESPACE: config.metricsNamespace,
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      bundling: {
        // esbuild is a dependency of the project, so bundle locally: no Docker anywhere.
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        target: 'node22',
        // Prefer packages' ES module builds.
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
        // Bundle the AWS SDK too: the bundle then runs the same on AWS, on the
        // embedded cloud's Node.js and in LocalStack, whatever SDK they provide.
        externalModules: [],
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        logLevel: LogLevel.WARNING,
      },
    });

    // The spec pins Node.js 22 (the embedded cloud and CI run Node 20/22-compatible
    // bundles); Node.js 24 is newer, so cdk-nag's "latest runtime" rule fires.
    Validations.of(this.fn).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Node.js 22 is the runtime the design pins for every target (AWS, LocalStack, the embedded cloud); it is a supported LTS runtime.',
    });
  }
}
