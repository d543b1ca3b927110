/**
 * How a stack operation runs, in the background, over the one deploy engine
 * (localcloud/deploy): a template applied with CloudFormation's events and
 * states; a failed create rolled back to ROLLBACK_COMPLETE, a failed update
 * returned to the previous template (UPDATE_ROLLBACK_COMPLETE); resources
 * deleted dependents first, DeletionPolicy Retain kept. The requests that
 * start these (change sets, CreateStack, DeleteStack) are StackEngine's.
 */
import type { CloudContext } from '../contracts';
import { ACCOUNT_ID } from '../config';
import type { DeployClients } from '../deploy/appliers/types';
import { deleteResource } from '../deploy/appliers/delete';
import { deployClients, destroyClients } from '../deploy/deploy-clients';
import {
  DeployFailure,
  executePlan,
  type DeployedResource,
  type RecordedResource,
} from '../deploy/execute';
import { resolveValue, TemplateError } from '../deploy/intrinsics';
import { Planner } from '../deploy/plan';
import type { CfnTemplate, Json } from '../deploy/template';
import type { ParameterStore } from '../ssm/parameter-store';
import { resolveParameters } from './stack-input';
import { StackStore, type StackState } from './stack-store';
import { parseTemplateBody } from './template-source';

export interface EngineOptions {
  ctx: CloudContext;
  ssm: ParameterStore;
  store?: StackStore;
  /** A resource type the cloud does not emulate is an error up front, not a warning. */
  strict?: boolean;
}

export class StackRunner {
  readonly store: StackStore;
  private clients?: DeployClients;
  private readonly running = new Set<Promise<void>>();

  constructor(protected readonly opts: EngineOptions) {
    this.store = opts.store ?? new StackStore();
  }

  protected get ctx(): CloudContext {
    return this.opts.ctx;
  }

  protected deployClients(): DeployClients {
    this.clients ??= deployClients(this.ctx.endpoint, this.ctx.region);
    return this.clients;
  }

  /** Wait until no stack operation runs (tests; stopping the cloud). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  async close(): Promise<void> {
    await this.idle();
    if (this.clients) destroyClients(this.clients);
  }

  protected planner(
    stack: StackState,
    template: CfnTemplate,
    parameters: Record<string, Json>,
  ): Planner {
    return new Planner({
      template,
      stackName: stack.name,
      stackId: stack.id,
      endpoint: this.ctx.endpoint,
      region: this.ctx.region,
      accountId: ACCOUNT_ID,
      parameters,
      cdkOut: '/',
      importValue: (name) => {
        const e = this.store.state.exports[name];
        if (!e) throw new TemplateError(`No export named ${name} found.`);
        if (!stack.imports.includes(name)) stack.imports.push(name);
        return e.value;
      },
    });
  }

  /** Run an operation in the background; the promise settles when it has (it never rejects). */
  protected track(p: Promise<void>): Promise<void> {
    const tracked = p.catch((err: unknown) =>
      this.ctx.log('cloudformation', `internal error: ${(err as Error).stack ?? String(err)}`),
    );
    this.running.add(tracked);
    void tracked.finally(() => this.running.delete(tracked));
    return tracked;
  }

  protected record(stack: StackState): Record<string, RecordedResource> {
    return Object.fromEntries(Object.entries(stack.resources).map(([id, r]) => [id, r]));
  }

  protected recorder(
    stack: StackState,
    previous: Record<string, RecordedResource>,
    statusOf?: (r: DeployedResource) => string,
  ) {
    const started = new Map<string, number>();
    return {
      onStart: (id: string) => started.set(id, Date.now()),
      onResource: (r: DeployedResource) => {
        const prev = previous[r.logicalId];
        const changed =
          r.action === 'created' || r.action === 'updated' || (r.action === 'accepted' && !prev);
        const verb = statusOf?.(r) ?? (prev ? 'UPDATE' : 'CREATE');
        const now = Date.now();
        if (changed) {
          const base = { logicalId: r.logicalId, physicalId: r.physicalId, type: r.type };
          this.store.event(stack, {
            ...base,
            status: `${verb}_IN_PROGRESS`,
            timestamp: started.get(r.logicalId) ?? now,
          });
          this.store.event(stack, {
            ...base,
            status: `${verb}_COMPLETE`,
            ...(r.detail ? { reason: r.detail } : {}),
          });
        }
      },
      onWarning: (m: string) => this.ctx.log('cloudformation', `${stack.name}: warning: ${m}`),
    };
  }

  protected commit(
    stack: StackState,
    record: Record<string, RecordedResource>,
    previous: Record<string, RecordedResource>,
    status: (id: string) => string,
  ): void {
    const now = Date.now();
    const next: StackState['resources'] = {};
    for (const [id, r] of Object.entries(record)) {
      const same =
        previous[id] && JSON.stringify(previous[id]!.properties) === JSON.stringify(r.properties);
      next[id] = {
        ...r,
        status: status(id),
        updated: same ? (stack.resources[id]?.updated ?? now) : now,
      };
    }
    stack.resources = next;
  }

  protected async apply(
    stack: StackState,
    kind: 'CREATE' | 'UPDATE',
    next: {
      body: string;
      template: CfnTemplate;
      values: StackState['parameters'];
      plain: Record<string, Json>;
    },
  ): Promise<void> {
    const previous = this.record(stack);
    const before = { body: stack.body, parameters: stack.parameters };
    this.store.setStatus(stack, `${kind}_IN_PROGRESS`, 'User Initiated');
    stack.updated = kind === 'UPDATE' ? Date.now() : undefined;
    const planner = this.planner(stack, next.template, next.plain);
    try {
      const result = await executePlan({
        planner,
        clients: this.deployClients(),
        previous,
        ...this.recorder(stack, previous),
      });
      this.commit(stack, result.record, previous, (id) =>
        previous[id] ? 'UPDATE_COMPLETE' : 'CREATE_COMPLETE',
      );
      stack.body = next.body;
      stack.parameters = next.values;
      stack.description = next.template.Description;
      this.setOutputs(stack, planner, result.outputs);
      if (kind === 'UPDATE') {
        this.store.setStatus(stack, 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS');
        const removed = Object.keys(previous).filter((id) => !(id in result.record));
        await this.deleteResources(stack, removed, previous, before);
      }
      this.store.setStatus(stack, `${kind}_COMPLETE`);
    } catch (err) {
      if (!(err instanceof DeployFailure)) throw err;
      await this.rollBack(stack, kind, err, previous, before);
    }
  }

  protected async rollBack(
    stack: StackState,
    kind: 'CREATE' | 'UPDATE',
    failure: DeployFailure,
    previous: Record<string, RecordedResource>,
    before: { body: string; parameters: StackState['parameters'] },
  ): Promise<void> {
    const verb = previous[failure.logicalId] ? 'UPDATE' : 'CREATE';
    this.store.event(stack, {
      logicalId: failure.logicalId,
      physicalId: '',
      type: failure.type,
      status: `${verb}_FAILED`,
      reason: failure.reason,
    });
    this.ctx.log('cloudformation', `${stack.name}: ${failure.logicalId} failed: ${failure.reason}`);
    const applied = { ...previous, ...failure.applied };
    this.commit(stack, applied, previous, (id) =>
      failure.applied[id]
        ? `${previous[id] ? 'UPDATE' : 'CREATE'}_COMPLETE`
        : (stack.resources[id]?.status ?? 'CREATE_COMPLETE'),
    );
    const reason = `The following resource(s) failed to ${verb.toLowerCase()}: [${failure.logicalId}]. `;
    if (kind === 'CREATE') {
      if (stack.disableRollback) {
        this.store.setStatus(stack, 'CREATE_FAILED', `${reason}Rollback disabled.`);
        return;
      }
      this.store.setStatus(stack, 'ROLLBACK_IN_PROGRESS', `${reason}Rollback requested by user.`);
      const created = failure.resources.map((r) => r.logicalId);
      await this.deleteResources(
        stack,
        created,
        applied,
        { body: '', parameters: [] },
        failure.resources,
      );
      this.store.setStatus(stack, 'ROLLBACK_COMPLETE');
      return;
    }
    this.store.setStatus(stack, 'UPDATE_ROLLBACK_IN_PROGRESS', `${reason}`);
    try {
      const template = parseTemplateBody(before.body);
      const plain = resolveParameters(
        template,
        before.parameters.map((p) => ({ ParameterKey: p.key, ParameterValue: p.value })),
        [],
        this.opts.ssm,
      ).plain;
      const result = await executePlan({
        planner: this.planner(stack, template, plain),
        clients: this.deployClients(),
        previous: applied,
        ...this.recorder(stack, applied, () => 'UPDATE'),
      });
      this.commit(stack, result.record, applied, () => 'UPDATE_COMPLETE');
      stack.body = before.body;
      stack.parameters = before.parameters;
      this.store.setStatus(stack, 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS');
      const added = Object.keys(applied).filter((id) => !(id in result.record));
      await this.deleteResources(stack, added, applied, before);
      this.store.setStatus(stack, 'UPDATE_ROLLBACK_COMPLETE');
    } catch (err) {
      this.store.setStatus(stack, 'UPDATE_ROLLBACK_FAILED', (err as Error).message);
    }
  }

  protected setOutputs(stack: StackState, planner: Planner, outputs: Record<string, Json>): void {
    for (const [name, e] of Object.entries(this.store.state.exports))
      if (e.stackId === stack.id) delete this.store.state.exports[name];
    const declared = planner.input.template.Outputs ?? {};
    stack.outputs = Object.entries(outputs).map(([key, v]) => {
      const value = typeof v === 'string' ? v : JSON.stringify(v);
      const decl = declared[key];
      const exportName = decl?.Export
        ? String(resolveValue(decl.Export.Name, planner.context(new Map(), true)))
        : undefined;
      if (exportName) this.store.state.exports[exportName] = { stackId: stack.id, value };
      return {
        key,
        value,
        ...(decl?.Description ? { description: decl.Description } : {}),
        ...(exportName ? { exportName } : {}),
      };
    });
  }

  /** Delete resources, dependents first (reverse plan order), DeletionPolicy Retain kept. */
  protected async deleteResources(
    stack: StackState,
    ids: string[],
    records: Record<string, RecordedResource>,
    source: { body: string; parameters: StackState['parameters'] },
    createdOrder?: DeployedResource[],
  ): Promise<void> {
    let order: string[];
    let template: CfnTemplate | undefined;
    try {
      template = source.body ? parseTemplateBody(source.body) : undefined;
      const plain = Object.fromEntries(
        source.parameters.map((p) => [p.key, p.resolved ?? p.value]),
      );
      order = template ? this.planner(stack, template, plain).order : [];
    } catch {
      order = [];
    }
    const ranked = [
      ...(createdOrder?.map((r) => r.logicalId) ?? []),
      ...order,
      ...Object.keys(records),
    ];
    const sorted = [...new Set(ranked)].filter((id) => ids.includes(id)).reverse();
    for (const id of sorted) {
      const r = records[id];
      if (!r) continue;
      const base = { logicalId: id, physicalId: r.physicalId, type: r.type };
      if (template?.Resources[id]?.DeletionPolicy === 'Retain') {
        this.store.event(stack, { ...base, status: 'DELETE_SKIPPED' });
        delete stack.resources[id];
        continue;
      }
      this.store.event(stack, { ...base, status: 'DELETE_IN_PROGRESS' });
      try {
        await deleteResource(r.type, r.physicalId, r.properties, this.deployClients(), {
          logicalId: id,
          stack: { name: stack.name, id: stack.id },
        });
      } catch (err) {
        this.store.event(stack, {
          ...base,
          status: 'DELETE_FAILED',
          reason: (err as Error).message,
        });
        throw new DeployFailure(id, r.type, (err as Error).message, {}, []);
      }
      this.store.event(stack, { ...base, status: 'DELETE_COMPLETE' });
      delete stack.resources[id];
    }
  }
}
