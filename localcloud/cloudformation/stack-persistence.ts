/**
 * CloudFormation on a data dir: stacks, change sets, events and exports are
 * the part's snapshot. An operation the cloud stopped in the middle of
 * cannot go on after a restart (its background run is gone), so a restored
 * stack that was *_IN_PROGRESS ends in the state CloudFormation reaches
 * when an operation fails and cannot be rolled back (CREATE_FAILED,
 * UPDATE_ROLLBACK_FAILED, DELETE_FAILED, ...), with an event saying why:
 * it is neither stuck nor claiming success, and it can be updated or
 * deleted again.
 */
import type { CloudContext } from '../contracts';
import { plainStatePart } from '../persistence/plain-state';
import type { StackStore } from './stack-store';

export const INTERRUPTED_REASON = 'The local cloud stopped during this operation.';

/** What an interrupted operation's state becomes. */
const SETTLED: Record<string, string> = {
  CREATE_IN_PROGRESS: 'CREATE_FAILED',
  ROLLBACK_IN_PROGRESS: 'ROLLBACK_FAILED',
  DELETE_IN_PROGRESS: 'DELETE_FAILED',
  UPDATE_IN_PROGRESS: 'UPDATE_ROLLBACK_FAILED',
  UPDATE_ROLLBACK_IN_PROGRESS: 'UPDATE_ROLLBACK_FAILED',
  // The update itself was done; only the old resources' clean-up was cut short.
  UPDATE_COMPLETE_CLEANUP_IN_PROGRESS: 'UPDATE_COMPLETE',
  UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS: 'UPDATE_ROLLBACK_COMPLETE',
};

export function registerStackPersistence(ctx: CloudContext, store: StackStore): void {
  ctx.persistence?.register(
    plainStatePart('cloudformation', store.state, {
      afterRestore: () => settleInterrupted(store),
    }),
  );
}

export function settleInterrupted(store: StackStore, now = Date.now()): void {
  for (const stack of Object.values(store.state.stacks)) {
    for (const r of Object.values(stack.resources)) {
      if (!r.status.endsWith('_IN_PROGRESS')) continue;
      r.status = r.status.replace(/_IN_PROGRESS$/, '_FAILED');
      r.reason = INTERRUPTED_REASON;
      r.updated = now;
    }
    for (const cs of Object.values(stack.changeSets)) {
      if (cs.executionStatus !== 'EXECUTE_IN_PROGRESS') continue;
      cs.executionStatus = 'UNAVAILABLE';
      cs.status = 'FAILED';
      cs.statusReason = INTERRUPTED_REASON;
    }
    const settled = SETTLED[stack.status];
    if (settled) store.setStatus(stack, settled, INTERRUPTED_REASON);
  }
}
