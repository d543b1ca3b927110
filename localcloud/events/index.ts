/**
 * Schedules for the embedded cloud: createEventsService(ctx, { speedup, invoke })
 * gives the EventBridge EdgeService (signing name "events"); `invoke` delivers
 * a target's event, e.g. (arn, payload) => lambda.invoke(arn, payload).
 */
import type { CloudContext } from '../contracts';
import { EventsService, type EventsServiceOptions } from './events-service';

export type { EventsServiceOptions, InvokeTarget } from './events-service';
export { EventsService };
export { parseSchedule, firingIntervalMs } from './schedule-expression';

export function createEventsService(ctx: CloudContext, opts: EventsServiceOptions): EventsService {
  return new EventsService(ctx, opts);
}
