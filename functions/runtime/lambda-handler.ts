/**
 * The one handler runtime: every function's entry point is built here, so
 * all three start the same way — dependencies made lazily once per execution
 * environment, and the Powertools logger given each invocation's Lambda
 * context, so every log line carries the request id and the cold-start flag.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { lazy } from './lazy';

export interface HandlerRuntime<D> {
  deps: D;
  logger: Logger;
}

/**
 * `init` runs once, on the first invocation, with the logger it may hand to
 * what it builds; `run` runs per invocation. The context is optional so tests
 * and benchmarks can call a handler directly.
 */
export function lambdaHandler<D, E, R>(
  serviceName: string,
  init: (logger: Logger) => D,
  run: (rt: HandlerRuntime<D>, event: E, context: Context | undefined) => Promise<R>,
): (event: E, context?: Context) => Promise<R> {
  const runtime = lazy((): HandlerRuntime<D> => {
    const logger = new Logger({ serviceName });
    return { deps: init(logger), logger };
  });
  return async (event, context) => {
    const rt = runtime();
    if (context) rt.logger.addContext(context);
    return run(rt, event, context);
  };
}
