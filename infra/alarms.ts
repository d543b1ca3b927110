/**
 * Alarms an operator of the pipeline wants: the consumer falling behind, the
 * consumer failing, and batches given up on. No actions (no SNS topic): the
 * stack is a demo and an alarm state on the dashboard/console is enough; a
 * deployment adds `alarm.addAlarmAction(...)` with its own topic.
 */
import { Duration } from 'aws-cdk-lib';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { StreamscaleConfig } from '../functions/config';

/**
 * The scaler keeps iterator age under scaler.iteratorAgeTargetMs; this many
 * times that, sustained, means scaling is not keeping up.
 */
export const ITERATOR_AGE_ALARM_FACTOR = 6;
const EVALUATION_MINUTES = 5;

export interface PipelineAlarmsProps {
  config: StreamscaleConfig;
  consumer: lambda.IFunction;
  failureQueue: sqs.IQueue;
}

export class PipelineAlarms extends Construct {
  readonly iteratorAge: cw.Alarm;
  readonly consumerErrors: cw.Alarm;
  readonly failedBatches: cw.Alarm;

  constructor(scope: Construct, id: string, props: PipelineAlarmsProps) {
    super(scope, id);
    const { config, consumer, failureQueue } = props;
    const period = Duration.minutes(1);

    this.iteratorAge = new cw.Alarm(this, 'IteratorAge', {
      alarmName: `${config.prefix}-consumer-iterator-age`,
      alarmDescription: `Consumer iterator age above ${ITERATOR_AGE_ALARM_FACTOR} x scaler.iteratorAgeTargetMs for ${EVALUATION_MINUTES} minutes: the consumer is not keeping up.`,
      metric: consumer.metric('IteratorAge', { statistic: 'Maximum', period }),
      threshold: ITERATOR_AGE_ALARM_FACTOR * config.scaler.iteratorAgeTargetMs,
      comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: EVALUATION_MINUTES,
      // No data = no traffic = nothing behind.
      treatMissingData: cw.TreatMissingData.NOT_BREACHING,
    });
    this.consumerErrors = new cw.Alarm(this, 'ConsumerErrors', {
      alarmName: `${config.prefix}-consumer-errors`,
      alarmDescription:
        'The consumer threw (an infrastructure error; data errors never throw). Its batch is retried.',
      metric: consumer.metricErrors({ statistic: 'Sum', period }),
      threshold: 0,
      comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cw.TreatMissingData.NOT_BREACHING,
    });
    this.failedBatches = new cw.Alarm(this, 'FailedBatches', {
      alarmName: `${config.prefix}-consumer-failures-visible`,
      alarmDescription:
        'A batch ran out of retries or record age and went to the on-failure queue: its records are not in the results.',
      metric: failureQueue.metricApproximateNumberOfMessagesVisible({
        statistic: 'Maximum',
        period,
      }),
      threshold: 0,
      comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cw.TreatMissingData.NOT_BREACHING,
    });
  }

  get all(): cw.Alarm[] {
    return [this.iteratorAge, this.consumerErrors, this.failedBatches];
  }
}
