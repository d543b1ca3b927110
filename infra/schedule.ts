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
  /** From config (closer.scheduleSeconds / scaler.scheduleSeconds). */
  seconds: number;
  /** Config path named in the error message, e.g. "closer.scheduleSeconds". */
  setting: string;
}

export function scheduleRate(seconds: number, setting: string): events.Schedule {
  if (!(Number.isInteger(seconds) && seconds >= 60 && seconds % 60 === 0)) {
    throw new Error(
      `${setting} must be a whole number of minutes in seconds, at least 60 (EventBridge's finest rate), got ${seconds}; use the tickSeconds setting for faster cadence`,
    );
  }
  return events.Schedule.rate(Duration.minutes(seconds / 60));
}

export class EverySchedule extends Construct {
  readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: ScheduleProps) {
    super(scope, id);
    this.rule = new events.Rule(this, 'Rule', {
      ruleName: props.ruleName,
      description: props.description,
      schedule: scheduleRate(props.seconds, props.setting),
      targets: [
        new targets.LambdaFunction(props.target, {
          // Delivery retries (e.g. a throttled invoke) only while still within this period.
          maxEventAge: Duration.seconds(Math.max(60, props.seconds)),
        }),
      ],
    });
    // A run that fails is superseded by the next one a period later; Lambda's
    // default two async retries would only overlap with it.
    props.target.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.seconds(Math.max(60, props.seconds)) });
  }
}

/** A scheduled function loops for one period, so its timeout must exceed the period. */
export function assertTimeoutCoversSchedule(which: string, timeoutSeconds: number, scheduleSeconds: number): void {
  if (!(timeoutSeconds > scheduleSeconds && timeoutSeconds <= 900)) {
    throw new Error(
      `${which}.timeoutSeconds must be more than ${which}.scheduleSeconds (${scheduleSeconds}) and at most 900, got ${timeoutSeconds}`,
    );
  }
}
