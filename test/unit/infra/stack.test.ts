/* eslint-disable @typescript-eslint/no-explicit-any -- synthesized CloudFormation JSON is untyped; the assertions give it shape */
/**
 * The synthesized stack, resource by resource: names, encryption, billing,
 * keys, the event source mapping settings the exactly-once design depends
 * on, schedules, least-privilege policies, dashboard, alarms, outputs and a
 * clean cdk-nag AwsSolutions report. One stack for the whole file, built
 * without esbuild bundling (infra-synth.test.ts bundles for real).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Validations } from 'aws-cdk-lib';
import {
  DEFAULT_CONFIG,
  ENV_KEYS,
  resolveConfig,
  resourceNames,
  toEnv,
} from '../../../functions/config';
import { tableDefinitions } from '../../../functions/store/table-definitions';
import { WINDOWS_INDEX } from '../../../functions/core/table-layout';
import { Metric, PIPELINE_DIMENSION } from '../../../functions/core/metric-names';
import { buildApp, type BuiltApp } from '../../../infra/build-app';
import { OUTPUT_KEYS } from '../../../infra/streamscale-stack';

type Resource = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string };
type Statement = {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
};

const config = resolveConfig({ prefix: 'ssunit' });
const names = resourceNames(config.prefix);

let built: BuiltApp;
let template: Template;
let resources: Record<string, Resource>;

beforeAll(() => {
  built = buildApp({ config, bundle: false });
  template = Template.fromStack(built.stack);
  resources = template.toJSON().Resources as Record<string, Resource>;
});

function logicalIdOf(type: string, predicate: (props: Record<string, any>) => boolean): string {
  const hits = Object.entries(resources).filter(
    ([, r]) => r.Type === type && predicate(r.Properties ?? {}),
  );
  expect(hits, `exactly one ${type} matching`).toHaveLength(1);
  return hits[0]![0];
}
const functionId = (name: string) =>
  logicalIdOf('AWS::Lambda::Function', (p) => p.FunctionName === name);
const tableId = (name: string) => logicalIdOf('AWS::DynamoDB::Table', (p) => p.TableName === name);
const streamId = () => logicalIdOf('AWS::Kinesis::Stream', () => true);
const queueId = () => logicalIdOf('AWS::SQS::Queue', () => true);
const mappingId = () => logicalIdOf('AWS::Lambda::EventSourceMapping', () => true);

/** Every statement of every policy attached to the function's role. */
function statementsOf(functionName: string): Statement[] {
  const fn = resources[functionId(functionName)]!;
  const roleId = fn.Properties.Role['Fn::GetAtt'][0] as string;
  expect(resources[roleId]!.Properties.ManagedPolicyArns, 'no managed policies').toBeUndefined();
  expect(
    resources[roleId]!.Properties.Policies,
    'no inline policies outside AWS::IAM::Policy',
  ).toBeUndefined();
  return Object.values(resources)
    .filter(
      (r) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((x: any) => x.Ref === roleId),
    )
    .flatMap((r) => r.Properties.PolicyDocument.Statement as Statement[]);
}
const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const resourcesOf = (s: Statement) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]);
const allActions = (ss: Statement[]) => new Set(ss.flatMap(actionsOf));
const getAtt = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });
/** Statements granting `action`, with the resources they grant it on. */
const grantsOf = (ss: Statement[], action: string) =>
  ss.filter((s) => actionsOf(s).includes(action)).flatMap(resourcesOf);

describe('Kinesis stream', () => {
  it('is provisioned with the configured shards, retention and AWS-managed KMS encryption', () => {
    template.resourceCountIs('AWS::Kinesis::Stream', 1);
    template.hasResourceProperties('AWS::Kinesis::Stream', {
      Name: names.stream,
      ShardCount: config.stream.initialShards,
      StreamModeDetails: { StreamMode: 'PROVISIONED' },
      RetentionPeriodHours: config.stream.retentionHours,
      StreamEncryption: { EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' },
    });
  });
});

describe('DynamoDB tables', () => {
  it('are three, on demand, encrypted with KMS, with point-in-time recovery and explicit names', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 3);
    for (const name of [names.windowsTable, names.controlTable, names.rejectsTable]) {
      const table = resources[tableId(name)]!;
      expect(table.Properties).toMatchObject({
        BillingMode: 'PAY_PER_REQUEST',
        SSESpecification: { SSEEnabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
      });
      // Demo stack: destroyed with it.
      expect(table.DeletionPolicy).toBe('Delete');
    }
  });

  it('key the windows table by pk/sk with the byKind index (gsiPk S, gsiSk N, ALL) and nothing else', () => {
    const windows = resources[tableId(names.windowsTable)]!.Properties;
    expect(windows.AttributeDefinitions).toEqual(
      expect.arrayContaining([
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
        { AttributeName: 'gsiPk', AttributeType: 'S' },
        { AttributeName: 'gsiSk', AttributeType: 'N' },
      ]),
    );
    expect(windows.AttributeDefinitions).toHaveLength(4);
    expect(windows.GlobalSecondaryIndexes).toEqual([
      {
        IndexName: WINDOWS_INDEX,
        KeySchema: [
          { AttributeName: 'gsiPk', KeyType: 'HASH' },
          { AttributeName: 'gsiSk', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ]);
    for (const name of [names.controlTable, names.rejectsTable]) {
      const t = resources[tableId(name)]!.Properties;
      expect(t.GlobalSecondaryIndexes).toBeUndefined();
      expect(t.AttributeDefinitions).toEqual([
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ]);
    }
  });
});

describe('tables as functions/store/table-definitions.ts defines them (what tests and the local cloud create)', () => {
  const sortBy = <T extends Record<string, any>>(xs: T[] | undefined, key: string) =>
    [...(xs ?? [])].sort((a, b) => String(a[key]).localeCompare(String(b[key])));
  it.each(['windows', 'control', 'rejects'] as const)(
    '%s: same name, billing, keys, attributes and indexes',
    (which) => {
      const def = tableDefinitions(config.prefix)[which];
      const cfn = resources[tableId(def.TableName!)]!.Properties;
      expect(cfn.BillingMode).toBe(def.BillingMode);
      expect(cfn.KeySchema).toEqual(def.KeySchema);
      expect(sortBy(cfn.AttributeDefinitions, 'AttributeName')).toEqual(
        sortBy(def.AttributeDefinitions, 'AttributeName'),
      );
      expect(sortBy(cfn.GlobalSecondaryIndexes, 'IndexName')).toEqual(
        sortBy(def.GlobalSecondaryIndexes as any[], 'IndexName'),
      );
      expect(cfn.LocalSecondaryIndexes).toEqual(def.LocalSecondaryIndexes);
    },
  );
});

describe('functions', () => {
  it('are three Node.js 22 functions with the config in their environment', () => {
    template.resourceCountIs('AWS::Lambda::Function', 3);
    const expected = [
      [names.consumerFunction, config.consumer.memoryMb, config.consumer.timeoutSeconds],
      [names.closerFunction, config.closer.memoryMb, config.closer.timeoutSeconds],
      [names.scalerFunction, config.scaler.memoryMb, config.scaler.timeoutSeconds],
    ] as const;
    for (const [name, memory, timeout] of expected) {
      const fn = resources[functionId(name)]!.Properties;
      expect(fn).toMatchObject({
        Runtime: 'nodejs22.x',
        Handler: 'index.handler',
        MemorySize: memory,
        Timeout: timeout,
      });
      const env = fn.Environment.Variables as Record<string, string>;
      expect(env).toMatchObject(toEnv(config));
      expect(JSON.parse(env[ENV_KEYS.config]!)).toEqual(config);
      expect(env.POWERTOOLS_SERVICE_NAME).toBe(name);
      expect(env.POWERTOOLS_METRICS_NAMESPACE).toBe(config.metricsNamespace);
    }
  });

  it('log to their own log groups with the configured retention', () => {
    template.resourceCountIs('AWS::Logs::LogGroup', 3);
    for (const name of [names.consumerFunction, names.closerFunction, names.scalerFunction]) {
      const groupId = logicalIdOf(
        'AWS::Logs::LogGroup',
        (p) => p.LogGroupName === `/aws/lambda/${name}`,
      );
      expect(resources[groupId]!.Properties.RetentionInDays).toBe(config.logRetentionDays);
      expect(resources[functionId(name)]!.Properties.LoggingConfig).toEqual({
        LogGroup: { Ref: groupId },
      });
      // Only its own log group.
      const logGrants = statementsOf(name).filter((s) =>
        actionsOf(s).some((a) => a.startsWith('logs:')),
      );
      expect(logGrants.flatMap(resourcesOf)).toEqual([getAtt(groupId)]);
    }
  });

  it('give the scaler its mapping UUID and stream name', () => {
    const env = resources[functionId(names.scalerFunction)]!.Properties.Environment.Variables;
    expect(env[ENV_KEYS.scalerMappingUuid]).toEqual({ Ref: mappingId() });
    expect(env[ENV_KEYS.scalerStreamName]).toEqual({ Ref: streamId() });
  });
});

describe('consumer event source mapping', () => {
  it('reads the stream from TRIM_HORIZON with the configured batching, PF, retries and record age', () => {
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    const m = resources[mappingId()]!.Properties;
    expect(m).toMatchObject({
      EventSourceArn: getAtt(streamId()),
      FunctionName: { Ref: functionId(names.consumerFunction) },
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: config.consumer.batchSize,
      MaximumBatchingWindowInSeconds: config.consumer.batchingWindowSeconds,
      ParallelizationFactor: config.consumer.parallelizationFactor,
      MaximumRetryAttempts: config.consumer.retryAttempts,
      MaximumRecordAgeInSeconds: config.consumer.maxRecordAgeSeconds,
      DestinationConfig: { OnFailure: { Destination: getAtt(queueId()) } },
    });
  });

  it('never bisects and never reports partial batch failures (retries must repeat the same batch)', () => {
    const m = resources[mappingId()]!.Properties;
    expect(m.BisectBatchOnFunctionError).toBe(false);
    expect(m.FunctionResponseTypes ?? []).not.toContain('ReportBatchItemFailures');
  });

  it('sends exhausted batches to an encrypted, TLS-only queue that keeps them 14 days', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: names.failureQueue,
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queueId() }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });
});

describe('schedules', () => {
  it('run the closer and the scaler every minute, without async retries', () => {
    template.resourceCountIs('AWS::Events::Rule', 2);
    for (const name of [names.closerFunction, names.scalerFunction]) {
      const fnId = functionId(name);
      template.hasResourceProperties('AWS::Events::Rule', {
        ScheduleExpression: 'rate(1 minute)',
        State: 'ENABLED',
        Targets: [Match.objectLike({ Arn: getAtt(fnId) })],
      });
      template.hasResourceProperties('AWS::Lambda::Permission', {
        Action: 'lambda:InvokeFunction',
        FunctionName: getAtt(fnId),
        Principal: 'events.amazonaws.com',
      });
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: fnId },
        MaximumRetryAttempts: 0,
      });
    }
  });

  it('let a scheduled function run longer than its period (it ticks for one period)', () => {
    expect(resources[functionId(names.closerFunction)]!.Properties.Timeout).toBeGreaterThan(
      config.closer.scheduleSeconds,
    );
    expect(resources[functionId(names.scalerFunction)]!.Properties.Timeout).toBeGreaterThan(
      config.scaler.scheduleSeconds,
    );
  });
});

describe('least privilege', () => {
  const tableArns = () => ({
    windows: getAtt(tableId(names.windowsTable)),
    control: getAtt(tableId(names.controlTable)),
    rejects: getAtt(tableId(names.rejectsTable)),
  });
  const forbiddenDynamo = [
    'dynamodb:Scan',
    'dynamodb:DeleteItem',
    'dynamodb:BatchWriteItem',
    'dynamodb:DeleteTable',
    'dynamodb:*',
  ];

  it('only the scaler\'s GetMetricData uses resource "*" (it has no resource-level permissions)', () => {
    for (const name of [names.consumerFunction, names.closerFunction, names.scalerFunction]) {
      for (const s of statementsOf(name)) {
        expect(
          actionsOf(s).every((a) => !a.includes('*')),
          `no action wildcards in ${name}`,
        ).toBe(true);
        if (!resourcesOf(s).includes('*')) continue;
        expect(name).toBe(names.scalerFunction);
        expect(actionsOf(s)).toEqual(['cloudwatch:GetMetricData']);
      }
    }
  });

  it('no function may PutMetricData: metrics travel as EMF in their own logs', () => {
    for (const name of [names.consumerFunction, names.closerFunction, names.scalerFunction]) {
      expect(allActions(statementsOf(name)).has('cloudwatch:PutMetricData')).toBe(false);
    }
  });

  it('consumer: reads its stream, item reads/writes on its three tables (no Scan/Delete), sends to its queue', () => {
    const ss = statementsOf(names.consumerFunction);
    const t = tableArns();
    for (const a of [
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:GetItem',
      'dynamodb:Query',
    ]) {
      expect(grantsOf(ss, a)).toEqual(expect.arrayContaining([t.windows, t.control, t.rejects]));
      expect(grantsOf(ss, a)).toHaveLength(3);
    }
    for (const a of forbiddenDynamo.filter((x) => x !== 'dynamodb:BatchWriteItem'))
      expect(allActions(ss).has(a)).toBe(false);
    // Rejects are batch-written; BatchWriteItem (which could also delete) only there.
    expect(grantsOf(ss, 'dynamodb:BatchWriteItem')).toEqual([t.rejects]);
    for (const a of ['kinesis:GetRecords', 'kinesis:GetShardIterator', 'kinesis:ListShards']) {
      expect(grantsOf(ss, a)).toEqual([getAtt(streamId())]);
    }
    expect(allActions(ss).has('kinesis:PutRecord')).toBe(false);
    expect(allActions(ss).has('kinesis:UpdateShardCount')).toBe(false);
    expect(grantsOf(ss, 'sqs:SendMessage')).toEqual([getAtt(queueId())]);
    expect([...allActions(ss)].filter((a) => a.startsWith('lambda:'))).toEqual([]);
  });

  it('closer: shard list of its stream, item access on windows and control only', () => {
    const ss = statementsOf(names.closerFunction);
    const t = tableArns();
    expect([...allActions(ss)].filter((a) => a.startsWith('kinesis:')).sort()).toEqual([
      'kinesis:DescribeStreamSummary',
      'kinesis:ListShards',
    ]);
    expect(grantsOf(ss, 'kinesis:ListShards')).toEqual([getAtt(streamId())]);
    for (const a of [
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:GetItem',
      'dynamodb:Query',
    ]) {
      const granted = grantsOf(ss, a);
      expect(granted).toHaveLength(2);
      expect(granted).toEqual(expect.arrayContaining([t.windows, t.control]));
    }
    for (const a of forbiddenDynamo) expect(allActions(ss).has(a)).toBe(false);
  });

  it('scaler: reshards only its stream, tunes only its mapping, keeps state in the control table', () => {
    const ss = statementsOf(names.scalerFunction);
    const t = tableArns();
    expect([...allActions(ss)].filter((a) => a.startsWith('kinesis:')).sort()).toEqual([
      'kinesis:DescribeStreamSummary',
      'kinesis:ListShards',
      'kinesis:UpdateShardCount',
    ]);
    expect(grantsOf(ss, 'kinesis:UpdateShardCount')).toEqual([getAtt(streamId())]);
    const mappingArn = grantsOf(ss, 'lambda:UpdateEventSourceMapping');
    expect(mappingArn).toHaveLength(1);
    expect(JSON.stringify(mappingArn[0])).toContain(':event-source-mapping:');
    expect(JSON.stringify(mappingArn[0])).toContain(JSON.stringify({ Ref: mappingId() }));
    expect(grantsOf(ss, 'lambda:GetEventSourceMapping')).toEqual(mappingArn);
    expect([...allActions(ss)].filter((a) => a.startsWith('lambda:')).sort()).toEqual([
      'lambda:GetEventSourceMapping',
      'lambda:UpdateEventSourceMapping',
    ]);
    // Query: the cheap signals (shard and producer items) from the control table only.
    for (const a of [
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:Query',
    ]) {
      expect(grantsOf(ss, a)).toEqual([t.control]);
    }
    expect(grantsOf(ss, 'cloudwatch:GetMetricData')).toEqual(['*']);
  });
});

describe('dashboard', () => {
  /** The dashboard body with tokens (region) rendered as a placeholder. */
  function dashboardBody(): any {
    const dash = Object.values(resources).find((r) => r.Type === 'AWS::CloudWatch::Dashboard')!;
    expect(dash.Properties.DashboardName).toBe(names.dashboard);
    const body = dash.Properties.DashboardBody;
    const text =
      typeof body === 'string'
        ? body
        : (body['Fn::Join'][1] as unknown[])
            .map((p) => (typeof p === 'string' ? p : 'REGION'))
            .join('');
    return JSON.parse(text);
  }
  const metricsIn = (w: any): unknown[][] => w.properties?.metrics ?? [];
  const hasOwn = (widgets: any[], name: string) =>
    widgets.some((w) =>
      metricsIn(w).some(
        (m) =>
          m[0] === config.metricsNamespace &&
          m[1] === name &&
          m[2] === PIPELINE_DIMENSION &&
          m[3] === config.prefix,
      ),
    );
  const hasService = (widgets: any[], ns: string, name: string, dim: string, value: string) =>
    widgets.some((w) =>
      metricsIn(w).some((m) => m[0] === ns && m[1] === name && m[2] === dim && m[3] === value),
    );

  it('shows every pipeline signal, with the AWS service metrics next to them', () => {
    const widgets = dashboardBody().widgets as any[];
    for (const name of [
      Metric.IncomingRecords,
      Metric.RecordsProcessed,
      Metric.ThrottledRecords,
      Metric.ActualShards,
      Metric.DesiredShards,
      Metric.ConsumerConcurrency,
      Metric.ActualParallelization,
      Metric.ConsumerIteratorAge,
      Metric.WindowsClosed,
      Metric.LateRecords,
      Metric.RecordsRejected,
      Metric.ScalingActions,
      Metric.EstimatedCostPerHour,
    ]) {
      expect(hasOwn(widgets, name), name).toBe(true);
    }
    expect(hasService(widgets, 'AWS/Kinesis', 'IncomingRecords', 'StreamName', names.stream)).toBe(
      true,
    );
    expect(
      hasService(
        widgets,
        'AWS/Kinesis',
        'WriteProvisionedThroughputExceeded',
        'StreamName',
        names.stream,
      ),
    ).toBe(true);
    expect(
      hasService(
        widgets,
        'AWS/Kinesis',
        'GetRecords.IteratorAgeMilliseconds',
        'StreamName',
        names.stream,
      ),
    ).toBe(true);
    expect(
      hasService(widgets, 'AWS/Lambda', 'IteratorAge', 'FunctionName', names.consumerFunction),
    ).toBe(true);
    expect(
      hasService(
        widgets,
        'AWS/Lambda',
        'ConcurrentExecutions',
        'FunctionName',
        names.consumerFunction,
      ),
    ).toBe(true);
    for (const table of [names.windowsTable, names.controlTable, names.rejectsTable]) {
      expect(
        hasService(widgets, 'AWS/DynamoDB', 'ConsumedWriteCapacityUnits', 'TableName', table),
      ).toBe(true);
    }
  });

  it('has an explaining text widget, single-value headlines and one-minute graphs', () => {
    const widgets = dashboardBody().widgets as any[];
    const byType = (t: string) => widgets.filter((w) => w.type === t);
    expect(byType('text')).toHaveLength(1);
    expect(byType('text')[0].properties.markdown).toContain(names.stream);
    const singles = byType('metric').filter((w) => w.properties.view === 'singleValue');
    expect(singles.length).toBeGreaterThanOrEqual(1);
    expect(singles.flatMap(metricsIn).length).toBeGreaterThanOrEqual(5);
    const graphs = byType('metric').filter((w) => w.properties.view === 'timeSeries');
    expect(graphs.length).toBeGreaterThanOrEqual(10);
    for (const w of byType('metric')) expect(w.properties.period).toBe(60);
  });
});

describe('alarms', () => {
  it('watch iterator age, consumer errors and the failure queue', () => {
    template.resourceCountIs('AWS::CloudWatch::Alarm', 3);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'IteratorAge',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: functionId(names.consumerFunction) } }],
      ComparisonOperator: 'GreaterThanThreshold',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: functionId(names.consumerFunction) } }],
      Threshold: 0,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId(), 'QueueName'] } }],
      Threshold: 0,
    });
  });
});

describe('outputs', () => {
  it('name everything a client needs', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(Object.keys(outputs).sort()).toEqual([...OUTPUT_KEYS].sort());
    expect(outputs.StreamName!.Value).toEqual({ Ref: streamId() });
    expect(outputs.EventSourceMappingId!.Value).toEqual({ Ref: mappingId() });
    expect(outputs.WindowsTable!.Value).toEqual({ Ref: tableId(names.windowsTable) });
    expect(outputs.FailureQueueUrl!.Value).toEqual({ Ref: queueId() });
    expect(outputs.Region!.Value).toEqual({ Ref: 'AWS::Region' });
  });
});

describe('cdk-nag AwsSolutions', () => {
  it('reports no unacknowledged findings', () => {
    const report = built.nag.validateScope(built.stack);
    expect(report.violations).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('acknowledges only the known, justified findings', () => {
    const acks = built.stack.node
      .findAll()
      .flatMap((c) =>
        c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY),
      )
      // Recorded as { "Annotation::<rule id>": reason }.
      .flatMap((m) =>
        Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({ id, reason })),
      );
    expect(new Set(acks.map((a) => a.id.replace(/^annotation::/i, '')))).toEqual(
      new Set(['AwsSolutions-L1', 'AwsSolutions-SQS3', 'AwsSolutions-IAM5[Resource::*]']),
    );
    for (const a of acks) expect(a.reason.length, a.id).toBeGreaterThan(40);
  });
});

it('uses the default config apart from the prefix', () => {
  expect({ ...config, prefix: DEFAULT_CONFIG.prefix }).toEqual(DEFAULT_CONFIG);
});
