/**
 * CloudFormation state as plain data (serialisable as it is, for
 * --data-dir): stacks by id with their template, parameters, resources
 * (what was applied to each, for the next update's comparison), events,
 * change sets and outputs; exports by name. Pure: no AWS calls.
 */
import { randomUUID } from 'node:crypto';
import type { RecordedResource } from '../deploy/execute';
import type { Json } from '../deploy/template';

export interface StackEvent {
  eventId: string;
  logicalId: string;
  physicalId: string;
  type: string;
  status: string;
  reason?: string;
  /** epoch ms */
  timestamp: number;
}

export interface StackResourceState extends RecordedResource {
  status: string;
  reason?: string;
  /** epoch ms */
  updated: number;
}

export interface ParameterValue {
  key: string;
  value: string;
  /** what an SSM-backed parameter resolved to */
  resolved?: string;
  noEcho?: boolean;
}

export interface ChangeState {
  action: 'Add' | 'Modify' | 'Remove';
  logicalId: string;
  physicalId?: string;
  type: string;
  replacement?: 'True' | 'False' | 'Conditional';
  details: string[];
}

export interface ChangeSetState {
  id: string;
  name: string;
  stackId: string;
  type: 'CREATE' | 'UPDATE';
  status: 'CREATE_COMPLETE' | 'FAILED' | 'DELETE_COMPLETE';
  executionStatus:
    'AVAILABLE' | 'UNAVAILABLE' | 'EXECUTE_IN_PROGRESS' | 'EXECUTE_COMPLETE' | 'OBSOLETE';
  statusReason?: string;
  description?: string;
  body: string;
  parameters: ParameterValue[];
  capabilities: string[];
  tags: Array<{ Key: string; Value: string }>;
  changes: ChangeState[];
  created: number;
}

export interface StackState {
  id: string;
  name: string;
  status: string;
  reason?: string;
  description?: string;
  /** the template as submitted (GetTemplate answers it verbatim) */
  body: string;
  parameters: ParameterValue[];
  capabilities: string[];
  tags: Array<{ Key: string; Value: string }>;
  disableRollback: boolean;
  terminationProtection: boolean;
  outputs: Array<{ key: string; value: string; description?: string; exportName?: string }>;
  resources: Record<string, StackResourceState>;
  /** oldest first */
  events: StackEvent[];
  changeSets: Record<string, ChangeSetState>;
  /** export names this stack imports (Fn::ImportValue) */
  imports: string[];
  created: number;
  updated?: number;
  deleted?: number;
}

export interface CloudFormationState {
  stacks: Record<string, StackState>;
  /** export name -> { stackId, value } */
  exports: Record<string, { stackId: string; value: string }>;
}

export const stackArn = (region: string, account: string, name: string) =>
  `arn:aws:cloudformation:${region}:${account}:stack/${name}/${randomUUID()}`;

export class StackStore {
  constructor(readonly state: CloudFormationState = { stacks: {}, exports: {} }) {}

  /** A live stack by name or id, or a deleted one by id (as DescribeStacks finds them). */
  find(nameOrId: string): StackState | undefined {
    const byId = this.state.stacks[nameOrId];
    if (byId) return byId;
    return Object.values(this.state.stacks).find(
      (s) => s.name === nameOrId && s.status !== 'DELETE_COMPLETE',
    );
  }

  add(stack: StackState): void {
    this.state.stacks[stack.id] = stack;
  }

  list(): StackState[] {
    return Object.values(this.state.stacks).sort((a, b) => a.created - b.created);
  }

  event(
    stack: StackState,
    e: Omit<StackEvent, 'eventId' | 'timestamp'> & { timestamp?: number },
  ): void {
    // Strictly increasing per stack, so readers that sort by time (cdk's progress) keep the order.
    const last = stack.events.at(-1)?.timestamp ?? 0;
    const timestamp = Math.max(e.timestamp ?? Date.now(), last + 1);
    stack.events.push({ eventId: randomUUID(), ...e, timestamp });
  }

  /** The stack's own status change, as an event on the stack's logical id. */
  setStatus(stack: StackState, status: string, reason?: string): void {
    stack.status = status;
    stack.reason = reason;
    this.event(stack, {
      logicalId: stack.name,
      physicalId: stack.id,
      type: 'AWS::CloudFormation::Stack',
      status,
      ...(reason ? { reason } : {}),
    });
  }

  changeSet(nameOrId: string, stackName?: string): ChangeSetState | undefined {
    for (const s of Object.values(this.state.stacks)) {
      const cs = s.changeSets[nameOrId];
      if (cs && (stackName === undefined || s.name === stackName || s.id === stackName)) return cs;
      const byId = Object.values(s.changeSets).find((c) => c.id === nameOrId);
      if (byId) return byId;
    }
    return undefined;
  }
}

export type { Json };
