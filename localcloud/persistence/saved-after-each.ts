/**
 * A control-plane service on a data dir: after each request it answers,
 * the persister saves what changed (saveSoon), so an acknowledged deploy,
 * function, mapping, queue, rule, parameter or object survives a kill
 * without waiting for the next periodic snapshot. The data planes (Kinesis
 * records, DynamoDB items) write through their own stores instead.
 */
import type { EdgeRequest, EdgeResponse, EdgeService } from '../contracts';

/** Signing names whose requests change small, saved-whole state. */
export const CONTROL_PLANE = new Set(['s3', 'ssm', 'cloudformation', 'lambda', 'events', 'sqs']);

export function savedAfterEach(service: EdgeService, persister: { saveSoon(): void }): EdgeService {
  if (!service.signingNames.some((n) => CONTROL_PLANE.has(n))) return service;
  return {
    signingNames: service.signingNames,
    async handle(req: EdgeRequest, body: Buffer, res: EdgeResponse): Promise<void> {
      try {
        await service.handle(req, body, res);
      } finally {
        persister.saveSoon();
      }
    },
    close: () => service.close(),
  };
}
