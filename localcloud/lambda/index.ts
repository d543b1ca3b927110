/**
 * The embedded cloud's Lambda plane: createLambdaService(ctx, opts) gives an
 * EdgeService (add it to the core cloud's edge) with in-process hooks:
 * invoke(functionNameOrArn, payload, type?) for schedules and the demo,
 * getFunction / getMapping for tests.
 */
import type { CloudContext } from '../contracts';
import { LambdaService } from './api/lambda-service';
import type { LambdaServiceOptions } from './options';

export type { LambdaServiceOptions } from './options';
export type { InvokeOutcome } from './runtime/execution-pool';
export type { FunctionDefinition } from './api/function-definition';
export type { MappingDefinition } from './event-sources/mapping-definition';
export { HOT_RELOAD_BUCKET } from './api/code-source';
export { parseEmfLine } from './runtime/emf';
export { LambdaService };

export function createLambdaService(
  ctx: CloudContext,
  opts: LambdaServiceOptions = {},
): LambdaService {
  return new LambdaService(ctx, opts);
}
