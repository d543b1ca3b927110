/**
 * A stack deploy through the CloudFormation API, as `cdk deploy` makes it:
 * a change set (CREATE or UPDATE), "no changes" recognised and discarded,
 * executed, followed by DescribeStackEvents until the stack settles; then
 * what happened to each resource, read back from the stack.
 */
import {
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DeleteStackCommand,
  DescribeChangeSetCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  ListStackResourcesCommand,
  type CloudFormationClient,
  type Parameter,
  type StackEvent,
} from '@aws-sdk/client-cloudformation';
import { DeployError, errorName } from './appliers/types';
import type { DeployedResource, ResourceAction } from './execute';
import { handlingOf } from './resource-types';
import type { Json } from './template';

/** How often a stack's progress is polled (cdk polls every few seconds; the local cloud is quicker). */
const POLL_MS = 100;
/** The longest a stack operation may take before deploy:local gives up. */
const STACK_TIMEOUT_MS = 10 * 60_000;
const CHANGE_SET = 'streamscale-deploy-local';

export interface StackDeployResult {
  resources: DeployedResource[];
  outputs: Record<string, Json>;
  acceptedTypes: Record<string, number>;
  status: string;
}

async function describe(cfn: CloudFormationClient, name: string) {
  try {
    return (await cfn.send(new DescribeStacksCommand({ StackName: name }))).Stacks?.[0];
  } catch (err) {
    if (errorName(err) === 'ValidationError') return undefined;
    throw err;
  }
}

/** Events since `since`, oldest first. */
async function eventsSince(
  cfn: CloudFormationClient,
  name: string,
  since: number,
): Promise<StackEvent[]> {
  const out: StackEvent[] = [];
  let NextToken: string | undefined;
  do {
    const page = await cfn.send(new DescribeStackEventsCommand({ StackName: name, NextToken }));
    for (const e of page.StackEvents ?? []) {
      if ((e.Timestamp?.getTime() ?? 0) < since) return out.reverse();
      out.push(e);
    }
    NextToken = page.NextToken;
  } while (NextToken);
  return out.reverse();
}

export async function waitForStack(
  cfn: CloudFormationClient,
  name: string,
  since: number,
  onEvent: (e: StackEvent) => void,
): Promise<{ status: string; reason?: string; events: StackEvent[] }> {
  const seen = new Set<string>();
  const deadline = Date.now() + STACK_TIMEOUT_MS;
  for (;;) {
    const s = await describe(cfn, name);
    const events = s ? await eventsSince(cfn, s.StackId ?? name, since) : [];
    for (const e of events) {
      if (seen.has(e.EventId!)) continue;
      seen.add(e.EventId!);
      onEvent(e);
    }
    if (!s) return { status: 'DELETE_COMPLETE', events };
    if (!/_IN_PROGRESS$/.test(s.StackStatus ?? '') || s.StackStatus === 'REVIEW_IN_PROGRESS')
      return { status: s.StackStatus!, reason: s.StackStatusReason, events };
    if (Date.now() > deadline)
      throw new DeployError(`timed out waiting for stack ${name} (${s.StackStatus})`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

function actionOf(type: string, events: StackEvent[], id: string): ResourceAction {
  const done = events.filter(
    (e) => e.LogicalResourceId === id && /_COMPLETE$/.test(e.ResourceStatus ?? ''),
  );
  if (handlingOf(type) !== 'emulated') return 'accepted';
  if (done.some((e) => e.ResourceStatus === 'CREATE_COMPLETE')) return 'created';
  if (done.some((e) => e.ResourceStatus === 'UPDATE_COMPLETE')) return 'updated';
  return 'unchanged';
}

export async function deployStack(
  cfn: CloudFormationClient,
  opts: {
    stackName: string;
    templateUrl?: string;
    templateBody?: string;
    parameters?: Record<string, Json>;
    log: (l: string) => void;
  },
): Promise<StackDeployResult> {
  const { stackName, log } = opts;
  let existing = await describe(cfn, stackName);
  if (existing?.StackStatus === 'ROLLBACK_COMPLETE') {
    log(
      `${stackName} is in ROLLBACK_COMPLETE (a failed first deploy): deleting it first, as cdk deploy does`,
    );
    await cfn.send(new DeleteStackCommand({ StackName: stackName }));
    await waitForStack(cfn, stackName, Date.now(), () => {});
    existing = undefined;
  }
  const type = !existing || existing.StackStatus === 'REVIEW_IN_PROGRESS' ? 'CREATE' : 'UPDATE';
  const Parameters: Parameter[] = Object.entries(opts.parameters ?? {}).map(([k, v]) => ({
    ParameterKey: k,
    ParameterValue: typeof v === 'string' ? v : JSON.stringify(v),
  }));
  await cfn.send(
    new CreateChangeSetCommand({
      StackName: stackName,
      ChangeSetName: CHANGE_SET,
      ChangeSetType: type,
      ...(opts.templateUrl
        ? { TemplateURL: opts.templateUrl }
        : { TemplateBody: opts.templateBody }),
      Parameters,
      Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'],
    }),
  );
  const cs = await cfn.send(
    new DescribeChangeSetCommand({ StackName: stackName, ChangeSetName: CHANGE_SET }),
  );
  const started = Date.now() - 1;
  let events: StackEvent[] = [];
  if (cs.Status === 'FAILED') {
    await cfn.send(new DeleteChangeSetCommand({ StackName: stackName, ChangeSetName: CHANGE_SET }));
    if (!/didn't contain changes/.test(cs.StatusReason ?? ''))
      throw new DeployError(`change set failed: ${cs.StatusReason}`);
    log(`${stackName}: no changes`);
  } else {
    await cfn.send(
      new ExecuteChangeSetCommand({ StackName: stackName, ChangeSetName: CHANGE_SET }),
    );
    const done = await waitForStack(cfn, stackName, started, (e) => {
      if (e.LogicalResourceId === stackName || !/_COMPLETE$|_FAILED$/.test(e.ResourceStatus ?? ''))
        return;
      if (
        handlingOf(e.ResourceType ?? '') !== 'emulated' &&
        !/_FAILED$/.test(e.ResourceStatus ?? '')
      )
        return;
      log(
        `  ${e.ResourceStatus!.padEnd(16)} ${e.ResourceType} ${e.PhysicalResourceId ?? e.LogicalResourceId}${e.ResourceStatusReason && /_FAILED$/.test(e.ResourceStatus!) ? ` — ${e.ResourceStatusReason}` : ''}`,
      );
    });
    events = done.events;
    if (!/^(CREATE|UPDATE)_COMPLETE$/.test(done.status)) {
      const failed = events.find(
        (e) => /_FAILED$/.test(e.ResourceStatus ?? '') && e.LogicalResourceId !== stackName,
      );
      throw new DeployError(
        `${stackName} ${done.status}: ${failed ? `${failed.LogicalResourceId} (${failed.ResourceType}): ${failed.ResourceStatusReason}` : (done.reason ?? 'failed')}`,
      );
    }
  }
  return collect(cfn, stackName, events);
}

async function collect(
  cfn: CloudFormationClient,
  stackName: string,
  events: StackEvent[],
): Promise<StackDeployResult> {
  const stack = (await describe(cfn, stackName))!;
  const resources: DeployedResource[] = [];
  const acceptedTypes: Record<string, number> = {};
  let NextToken: string | undefined;
  do {
    const page = await cfn.send(new ListStackResourcesCommand({ StackName: stackName, NextToken }));
    for (const r of page.StackResourceSummaries ?? []) {
      const action = actionOf(r.ResourceType!, events, r.LogicalResourceId!);
      if (action === 'accepted')
        acceptedTypes[r.ResourceType!] = (acceptedTypes[r.ResourceType!] ?? 0) + 1;
      const note = events.find(
        (e) =>
          e.LogicalResourceId === r.LogicalResourceId &&
          /_COMPLETE$/.test(e.ResourceStatus ?? '') &&
          e.ResourceStatusReason,
      );
      resources.push({
        logicalId: r.LogicalResourceId!,
        type: r.ResourceType!,
        physicalId: r.PhysicalResourceId ?? '',
        action,
        ...(note ? { detail: note.ResourceStatusReason } : {}),
      });
    }
    NextToken = page.NextToken;
  } while (NextToken);
  const outputs = Object.fromEntries(
    (stack.Outputs ?? []).map((o) => [o.OutputKey!, o.OutputValue ?? null]),
  );
  return { resources, outputs, acceptedTypes, status: stack.StackStatus! };
}
