/**
 * An EventBridge rule that invokes a function every `seconds`. EventBridge
 * rates are whole minutes, one minute at least; faster cadences are ticks
 * inside one invocation (closer.tickSeconds, scaler.tickSeconds), not rules.
 */
import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

export interface ScheduleProps {
  ruleName: string;
  description: string;
  target: lambda.IFunction;
  /** From config (closer.scheduleSeconds / scaler.scheduleSeconds): whole minutes. */
  seconds: number;
}

/** A rate in whole minutes (deployable-config.ts has checked that it is one). */
export function scheduleRate(seconds: number): events.Schedule {
  return events.Schedule.rate(Duration.minutes(seconds / 60));
}

export class EverySchedule extends Construct {
  readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: ScheduleProps) {
    super(scope, id);
    this.rule = new events.Rule(this, 'Rule', {
      ruleName: props.ruleName,
      description: props.description,
      schedule: scheduleRate(props.seconds),
      targets: [
        new targets.LambdaFunction(props.target, {
          // Delivery retries (e.g. a throttled invoke) only while still within this period.
          maxEventAge: Duration.seconds(Math.max(60, props.seconds)),
        }),
      ],
    });
    // A run that fails is superseded by the next one a period later; Lambda's
    // default two async retries would only overlap with it.
    props.target.configureAsyncInvoke({
      retryAttempts: 0,
      maxEventAge: Duration.seconds(Math.max(60, props.seconds)),
    });
  }
}
