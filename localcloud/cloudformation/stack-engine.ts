/**
 * CloudFormation's requests on the embedded cloud: everything a template
 * needs is checked before a resource is touched (template, parameters with
 * SSM-backed values, rules, capabilities, what the cloud can run); change
 * sets are worked out at once ("no changes" answered as AWS answers it);
 * executing one (or CreateStack / UpdateStack / DeleteStack) starts the
 * operation in the background (StackRunner), while DescribeStacks /
 * DescribeStackEvents show its progress with CloudFormation's states.
 */
import { randomUUID } from 'node:crypto';
import { ACCOUNT_ID } from '../config';
import { DeployFailure } from '../deploy/execute';
import { Planner } from '../deploy/plan';
import type { CfnTemplate } from '../deploy/template';
import { checkTemplate } from '../deploy/template-check';
import {
  ValidationError,
  checkCapabilities,
  checkRules,
  resolveParameters,
  resourceChanges,
  type GivenParameter,
} from './stack-input';
import { stackArn, type ChangeSetState, type StackState } from './stack-store';
import { parseTemplateBody, readTemplateSource, TemplateSourceError } from './template-source';
import { StackRunner } from './stack-runner';
export type { EngineOptions } from './stack-runner';

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

const IN_PROGRESS = /_IN_PROGRESS$/;
const NO_CHANGES =
  "The submitted information didn't contain changes. Submit different information to create a change set.";

export class StackEngine extends StackRunner {
  live(name: string): StackState {
    const s = this.store.find(name);
    if (!s) throw new ValidationError(`Stack with id ${name} does not exist`);
    return s;
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
    // As in AWS: deleting a change set by name succeeds whenever the stack exists (cdk relies on it).
    if (stackName && this.store.find(stackName) && !this.store.changeSet(name, stackName)) return;
    const cs = this.findChangeSet(name, stackName);
    const stack = this.store.state.stacks[cs.stackId]!;
    delete stack.changeSets[cs.name];
  }

  /** Starts the change set; the promise settles when the stack has (callers need not wait). */
  executeChangeSet(name: string, stackName?: string, disableRollback = false): Promise<void> {
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
    return this.track(
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
  ): { stackId: string; done: Promise<void> } {
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
    const done = this.executeChangeSet(
      name,
      StackId,
      req.DisableRollback === true || req.DisableRollback === 'true',
    );
    return { stackId: StackId, done };
  }

  /** Starts the delete; the promise settles when it has. */
  deleteStack(name: string): Promise<void> {
    const stack = this.store.find(name);
    if (!stack || stack.status === 'DELETE_COMPLETE' || stack.status === 'DELETE_IN_PROGRESS')
      return Promise.resolve();
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
    return this.track(
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
