/**
 * The stack follows the config: prefix -> every name and the stack name,
 * stream and mapping settings from their sections, schedules in whole
 * minutes; settings AWS cannot honour fail the synth with a clear message.
 * Bundling is skipped (infra-synth.test.ts bundles for real).
 */
import { describe, expect, it } from 'vitest';
import { Template } from 'aws-cdk-lib/assertions';
import { resolveConfig, resourceNames, type ConfigOverrides } from '../../../functions/config';
import { buildApp } from '../../../infra/build-app';

const synth = (overrides: ConfigOverrides) =>
  Template.fromStack(buildApp({ config: resolveConfig(overrides), bundle: false }).stack);

describe('a non-default config', () => {
  const overrides: ConfigOverrides = {
    prefix: 'ssdemo2',
    metricsNamespace: 'StreamscaleDemo',
    stream: { initialShards: 2, maxShards: 16, retentionHours: 48 },
    consumer: {
      batchSize: 100,
      batchingWindowSeconds: 2,
      parallelizationFactor: 3,
      retryAttempts: 50,
      maxRecordAgeSeconds: 3600,
    },
    closer: { scheduleSeconds: 120, timeoutSeconds: 150 },
  };
  const names = resourceNames('ssdemo2');
  const { stack } = buildApp({ config: resolveConfig(overrides), bundle: false });
  const template = Template.fromStack(stack);

  it('names the stack and every resource from the prefix', () => {
    expect(stack.stackName).toBe('Streamscale-ssdemo2');
    template.hasResourceProperties('AWS::Kinesis::Stream', { Name: names.stream });
    for (const t of [names.windowsTable, names.controlTable, names.rejectsTable]) {
      template.hasResourceProperties('AWS::DynamoDB::Table', { TableName: t });
    }
    for (const f of [names.consumerFunction, names.closerFunction, names.scalerFunction]) {
      template.hasResourceProperties('AWS::Lambda::Function', { FunctionName: f });
    }
    template.hasResourceProperties('AWS::SQS::Queue', { QueueName: names.failureQueue });
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', {
      DashboardName: names.dashboard,
    });
  });

  it('sizes the stream and the mapping from the config', () => {
    template.hasResourceProperties('AWS::Kinesis::Stream', {
      ShardCount: 2,
      RetentionPeriodHours: 48,
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 2,
      ParallelizationFactor: 3,
      MaximumRetryAttempts: 50,
      MaximumRecordAgeInSeconds: 3600,
    });
  });

  it("schedules in whole minutes and puts the namespace in every function's Powertools environment", () => {
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(2 minutes)' });
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 minute)' });
    const fns = Object.values(template.findResources('AWS::Lambda::Function'));
    expect(fns).toHaveLength(3);
    for (const fn of fns) {
      expect(fn.Properties.Environment.Variables.POWERTOOLS_METRICS_NAMESPACE).toBe(
        'StreamscaleDemo',
      );
    }
  });
});

describe('settings AWS cannot honour', () => {
  it('a schedule that is not whole minutes fails with the setting and the fix', () => {
    expect(() => synth({ scaler: { scheduleSeconds: 5 } })).toThrow(
      /scaler\.scheduleSeconds .*at least 60.*tickSeconds/,
    );
    expect(() => synth({ closer: { scheduleSeconds: 90, timeoutSeconds: 120 } })).toThrow(
      /closer\.scheduleSeconds/,
    );
  });

  it('a scheduled function whose timeout does not cover its period fails', () => {
    expect(() => synth({ closer: { timeoutSeconds: 60 } })).toThrow(
      /closer\.timeoutSeconds must be more than closer\.scheduleSeconds/,
    );
  });

  it('every problem is named in one message', () => {
    expect(() =>
      synth({
        consumer: { maxRecordAgeSeconds: 30, batchingWindowSeconds: 301 },
        stream: { retentionHours: 12 },
      }),
    ).toThrow(
      /maxRecordAgeSeconds must be 60-604800.*batchingWindowSeconds|batchingWindowSeconds.*maxRecordAgeSeconds.*retentionHours/,
    );
  });

  it('a log retention CloudWatch does not offer fails', () => {
    expect(() => synth({ logRetentionDays: 8 })).toThrow(/logRetentionDays must be one of/);
  });
});
