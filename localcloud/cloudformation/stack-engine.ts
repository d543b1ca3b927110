/**
 * CloudFormation's life cycle on the embedded cloud, driving the one deploy
 * engine (localcloud/deploy: plan, intrinsics, appliers, execute): change
 * sets are worked out at once; executing one (or CreateStack / UpdateStack)
 * applies the template in the background while DescribeStacks /
 * DescribeStackEvents show the progress with CloudFormation's states. A
 * failed create rolls back what it made (ROLLBACK_COMPLETE, with the failing
 * resource's reason); a failed update applies the previous template again
 * and removes what the update added (UPDATE_ROLLBACK_COMPLETE); a delete
 * removes every resource it created, dependents first.
 */
import { randomUUID } from 'node:crypto';
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
import { checkTemplate } from '../deploy/template-check';
import type { ParameterStore } from '../ssm/parameter-store';
import {
  ValidationError,
  checkCapabilities,
  checkRules,
  resolveParameters,
  resourceChanges,
  type GivenParameter,
} from './stack-input';
import { StackStore, stackArn, type ChangeSetState, type StackState } from './stack-store';
import { parseTemplateBody, readTemplateSource, TemplateSourceError } from './template-source';

export interface ChangeSetRequest {
  StackName: string;
  ChangeSetName: string;
  ChangeSetType?: string;
  TemplateBody?: string;
  TemplateURL?: string;
  UsePreviousTemplate?: boolean | string;
  Parameters?: GivenParameter[];
  Capabilities?: string[];
  Tags?: Array<{ Key: string; Value: string }>;
  Description?: string;
}

export interface EngineOptions {
  ctx: CloudContext;
  ssm: ParameterStore;
  store?: StackStore;
  /** A resource type the cloud does not emulate is an error up front, not a warning. */
  strict?: boolean;
}

const IN_PROGRESS = /_IN_PROGRESS$/;
const NO_CHANGES =
  "The submitted information didn't contain changes. Submit different information to create a change set.";

export class StackEngine {
  readonly store: StackStore;
  private clients?: DeployClients;
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly opts: EngineOptions) {
    this.store = opts.store ?? new StackStore();
  }

  private get ctx(): CloudContext {
    return this.opts.ctx;
  }

  private deployClients(): DeployClients {
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

  live(name: string): StackState {
    const s = this.store.find(name);
    if (!s) throw new ValidationError(`Stack with id ${name} does not exist`);
    return s;
  }

  private planner(
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

  /** Everything checked before a resource is touched: template, parameters, rules, capabilities, plan order. */
  private prepare(req: ChangeSetRequest, stack: StackState | undefined) {
    let body: string;
    let template: CfnTemplate;
    try {
      if ((req.UsePreviousTemplate === true || req.UsePreviousTemplate === 'true') && stack) {
        body = stack.body;
        template = parseTemplateBody(body);
      } else ({ body, template } = readTemplateSource(req, this.ctx.objects));
    } catch (err) {
      if (err instanceof TemplateSourceError) throw new ValidationError(err.message);
      throw err;
    }
    const check = checkTemplate(template, this.opts.strict);
    if (check.errors.length > 0) throw new ValidationError(check.errors.join('; '));
    for (const w of check.warnings)
      this.ctx.log('cloudformation', `${req.StackName}: warning: ${w}`);
    const { values, plain } = resolveParameters(
      template,
      req.Parameters ?? [],
      stack?.parameters ?? [],
      this.opts.ssm,
    );
    const probe = {
      id: stack?.id ?? 'pending',
      name: req.StackName,
      imports: [] as string[],
    } as StackState;
    let planner: Planner;
    try {
      planner = this.planner(probe, template, plain);
      checkRules(template, plain, planner.pseudo);
    } catch (err) {
      if (err instanceof ValidationError) throw err;
      throw new ValidationError(`Template format error: ${(err as Error).message}`);
    }
    checkCapabilities(template, req.Capabilities ?? []);
    return { body, template, values, plain, warnings: check.warnings };
  }

  createChangeSet(req: ChangeSetRequest): { Id: string; StackId: string } {
    if (!req.StackName || !req.ChangeSetName)
      throw new ValidationError('StackName and ChangeSetName are required');
    let stack = this.store.find(req.StackName);
    const type =
      req.ChangeSetType === 'CREATE'
        ? 'CREATE'
        : req.ChangeSetType === 'IMPORT'
          ? 'IMPORT'
          : 'UPDATE';
    if (type === 'IMPORT')
      throw new ValidationError('Resource import is not supported by the embedded cloud');
    if (type === 'CREATE' && stack && stack.status !== 'REVIEW_IN_PROGRESS')
      throw new ValidationError(
        `Stack [${req.StackName}] already exists and cannot be created again with the changeSet [${req.ChangeSetName}].`,
      );
    if (type === 'UPDATE' && (!stack || stack.status === 'REVIEW_IN_PROGRESS'))
      throw new ValidationError(`Stack [${req.StackName}] does not exist`);
    if (stack && IN_PROGRESS.test(stack.status) && stack.status !== 'REVIEW_IN_PROGRESS')
      throw new ValidationError(
        `Stack:${stack.id} is in ${stack.status} state and can not be updated.`,
      );
    const prepared = this.prepare(req, stack?.status === 'REVIEW_IN_PROGRESS' ? undefined : stack);
    if (!stack) {
      stack = this.newStack(req.StackName, req);
      this.store.add(stack);
      this.store.setStatus(stack, 'REVIEW_IN_PROGRESS', 'User Initiated');
    }
    const existing = stack.status === 'REVIEW_IN_PROGRESS' ? undefined : stack;
    const changes = resourceChanges(
      {
        template: existing ? parseTemplateBody(existing.body) : undefined,
        parameters: existing?.parameters ?? [],
        physicalIds: Object.fromEntries(
          Object.entries(stack.resources).map(([k, r]) => [k, r.physicalId]),
        ),
      },
      { template: prepared.template, parameters: prepared.values },
    );
    const unchanged =
      existing !== undefined &&
      changes.length === 0 &&
      JSON.stringify(parseTemplateBody(existing.body)) === JSON.stringify(prepared.template) &&
      JSON.stringify(existing.parameters) === JSON.stringify(prepared.values);
    const cs: ChangeSetState = {
      id: `arn:aws:cloudformation:${this.ctx.region}:${ACCOUNT_ID}:changeSet/${req.ChangeSetName}/${randomUUID()}`,
      name: req.ChangeSetName,
      stackId: stack.id,
      type,
      status: unchanged ? 'FAILED' : 'CREATE_COMPLETE',
      executionStatus: unchanged ? 'UNAVAILABLE' : 'AVAILABLE',
      ...(unchanged ? { statusReason: NO_CHANGES } : {}),
      description: req.Description,
      body: prepared.body,
      parameters: prepared.values,
      capabilities: req.Capabilities ?? [],
      tags: req.Tags ?? [],
      changes,
      created: Date.now(),
    };
    stack.changeSets[cs.name] = cs;
    return { Id: cs.id, StackId: stack.id };
  }

  private newStack(
    name: string,
    req: { Tags?: Array<{ Key: string; Value: string }> },
  ): StackState {
    if (!/^[A-Za-z][A-Za-z0-9-]{0,127}$/.test(name))
      throw new ValidationError(
        `1 validation error detected: Value '${name}' at 'stackName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*`,
      );
    return {
      id: stackArn(this.ctx.region, ACCOUNT_ID, name),
      name,
      status: 'REVIEW_IN_PROGRESS',
      body: '',
      parameters: [],
      capabilities: [],
      tags: req.Tags ?? [],
      disableRollback: false,
      terminationProtection: false,
      outputs: [],
      resources: {},
      events: [],
      changeSets: {},
      imports: [],
      created: Date.now(),
    };
  }

  findChangeSet(name: string, stackName?: string): ChangeSetState {
    const cs = this.store.changeSet(name, stackName);
    if (!cs || cs.status === 'DELETE_COMPLETE')
      throw new ValidationError(`ChangeSet [${name}] does not exist`, 'ChangeSetNotFound');
    return cs;
  }

  deleteChangeSet(name: string, stackName?: string): void {
    const cs = this.findChangeSet(name, stackName);
    const stack = this.store.state.stacks[cs.stackId]!;
    delete stack.changeSets[cs.name];
  }

  executeChangeSet(name: string, stackName?: string, disableRollback = false): void {
    const cs = this.findChangeSet(name, stackName);
    if (cs.executionStatus !== 'AVAILABLE')
      throw new ValidationError(
        `ChangeSet [${cs.id}] cannot be executed in its current status of [${cs.status}]`,
        'InvalidChangeSetStatus',
      );
    const stack = this.store.state.stacks[cs.stackId]!;
    if (IN_PROGRESS.test(stack.status) && stack.status !== 'REVIEW_IN_PROGRESS')
      throw new ValidationError(
        `Stack:${stack.id} is in ${stack.status} state and can not be updated.`,
      );
    cs.executionStatus = 'EXECUTE_IN_PROGRESS';
    // Other change sets of the stack are based on the template this one replaces.
    for (const other of Object.values(stack.changeSets))
      if (other !== cs) delete stack.changeSets[other.name];
    stack.disableRollback = disableRollback;
    const template = parseTemplateBody(cs.body);
    const plain = resolveParameters(
      template,
      cs.parameters.map((p) => ({ ParameterKey: p.key, ParameterValue: p.value })),
      [],
      this.opts.ssm,
    ).plain;
    const kind = stack.status === 'REVIEW_IN_PROGRESS' ? 'CREATE' : 'UPDATE';
    stack.capabilities = cs.capabilities;
    if (cs.tags.length > 0) stack.tags = cs.tags;
    this.track(
      this.apply(stack, kind, { body: cs.body, template, values: cs.parameters, plain }).finally(
        () => {
          cs.executionStatus = 'EXECUTE_COMPLETE';
          delete stack.changeSets[cs.name];
        },
      ),
    );
  }

  /** CreateStack / UpdateStack: a change set made and executed in one call. */
  createOrUpdate(
    req: ChangeSetRequest & { DisableRollback?: boolean | string },
    kind: 'CREATE' | 'UPDATE',
  ): string {
    const name = `stack-op-${randomUUID()}`;
    const stack = this.store.find(req.StackName);
    if (kind === 'CREATE' && stack && stack.status !== 'REVIEW_IN_PROGRESS')
      throw new ValidationError(
        `Stack [${req.StackName}] already exists`,
        'AlreadyExistsException',
      );
    const { StackId } = this.createChangeSet({ ...req, ChangeSetName: name, ChangeSetType: kind });
    const cs = this.findChangeSet(name, StackId);
    if (cs.status === 'FAILED') {
      this.deleteChangeSet(name, StackId);
      throw new ValidationError('No updates are to be performed.');
    }
    this.executeChangeSet(
      name,
      StackId,
      req.DisableRollback === true || req.DisableRollback === 'true',
    );
    return StackId;
  }

  private track(p: Promise<void>): void {
    const tracked = p.catch((err: unknown) =>
      this.ctx.log('cloudformation', `internal error: ${(err as Error).stack ?? String(err)}`),
    );
    this.running.add(tracked);
    void tracked.finally(() => this.running.delete(tracked));
  }

  private record(stack: StackState): Record<string, RecordedResource> {
    return Object.fromEntries(Object.entries(stack.resources).map(([id, r]) => [id, r]));
  }

  private recorder(
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

  private commit(
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

  private async apply(
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

  private async rollBack(
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

  private setOutputs(stack: StackState, planner: Planner, outputs: Record<string, Json>): void {
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
  private async deleteResources(
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
        await deleteResource(r.type, r.physicalId, r.properties, this.deployClients());
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

  deleteStack(name: string): void {
    const stack = this.store.find(name);
    if (!stack || stack.status === 'DELETE_COMPLETE') return;
    if (stack.status === 'DELETE_IN_PROGRESS') return;
    if (IN_PROGRESS.test(stack.status) && stack.status !== 'REVIEW_IN_PROGRESS')
      throw new ValidationError(
        `Stack ${stack.id} is in ${stack.status} state and can not be deleted.`,
      );
    const importers = Object.entries(this.store.state.exports)
      .filter(([, e]) => e.stackId === stack.id)
      .flatMap(([exp]) =>
        this.store
          .list()
          .filter((s) => s.status !== 'DELETE_COMPLETE' && s.imports.includes(exp))
          .map((s) => `Export ${exp} cannot be deleted as it is in use by ${s.name}`),
      );
    this.store.setStatus(stack, 'DELETE_IN_PROGRESS', 'User Initiated');
    stack.changeSets = {};
    this.track(
      (async () => {
        if (importers.length > 0) {
          this.store.setStatus(stack, 'DELETE_FAILED', importers.join('; '));
          return;
        }
        try {
          await this.deleteResources(
            stack,
            Object.keys(stack.resources),
            this.record(stack),
            stack,
          );
        } catch (err) {
          if (!(err instanceof DeployFailure)) throw err;
          this.store.setStatus(
            stack,
            'DELETE_FAILED',
            `The following resource(s) failed to delete: [${err.logicalId}]. ${err.reason}`,
          );
          return;
        }
        for (const [exp, e] of Object.entries(this.store.state.exports))
          if (e.stackId === stack.id) delete this.store.state.exports[exp];
        stack.deleted = Date.now();
        this.store.setStatus(stack, 'DELETE_COMPLETE');
      })(),
    );
  }
}
