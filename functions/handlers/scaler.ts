/**
 * The scheduled scaler's entry point. One invocation per
 * scaler.scheduleSeconds (EventBridge allows no less than a minute); inside
 * it, the scaler's run (scaler-run.ts) decides every scaler.tickSeconds.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { cloudWatchClient, dynamoClient, kinesisClient, lambdaClient } from '../aws/clients';
import { ConfigError, ENV_KEYS, fromEnv, resourceNames } from '../config';
import { lambdaHandler } from '../runtime/lambda-handler';
import { runDeadline, systemClock } from '../runtime/scheduled-run';
import { emfPublisher } from './scaler-publisher';
import { runScaler, type ScalerDeps } from './scaler-run';

const SERVICE = 'streamscale-scaler';

export function defaultDeps(logger: Logger, env: NodeJS.ProcessEnv = process.env): ScalerDeps {
  const config = fromEnv(env);
  const mappingUuid = env[ENV_KEYS.scalerMappingUuid];
  if (!mappingUuid)
    throw new ConfigError(
      `${ENV_KEYS.scalerMappingUuid} is not set (the stack sets it to the consumer's event source mapping UUID)`,
    );
  return {
    config,
    streamName: env[ENV_KEYS.scalerStreamName] || resourceNames(config.prefix).stream,
    mappingUuid,
    kinesis: kinesisClient(),
    lambda: lambdaClient(),
    cloudwatch: cloudWatchClient(),
    dynamo: dynamoClient(),
    ...systemClock,
    publish: emfPublisher(config, logger),
  };
}

export const handler = lambdaHandler(
  SERVICE,
  (logger) => defaultDeps(logger),
  async ({ deps, logger }, _event: unknown, context) => {
    const runStartedAt = deps.now();
    const tickMs = deps.config.scaler.tickSeconds * 1000;
    const untilMs = runDeadline(
      runStartedAt,
      deps.config.scaler.scheduleSeconds * 1000,
      tickMs,
      context?.getRemainingTimeInMillis(),
    );
    const result = await runScaler(deps, runStartedAt, untilMs);
    logger.info('scaler run finished', {
      ticks: result.ticks,
      stoppedBecause: result.stoppedBecause,
    });
    return result;
  },
);
