/**
 * The deploy executor: walks the plan in order, resolves each resource's
 * properties with the live values of everything before it, hands it to its
 * service's applier (AWS SDK calls against the endpoint), and says what it
 * did. Types without an applier are accepted, not emulated (IAM, KMS, ECR,
 * permissions, ...), with names and ARNs formed as AWS forms them; an
 * attribute of such a resource that only AWS could know gets a
 * deterministic placeholder and a warning, never an abort.
 *
 * It keeps no state of its own: the caller (the CloudFormation engine) hands
 * in what the stack's last deploy applied and keeps what this one applied,
 * also when a resource fails (DeployFailure.applied), so it can roll back.
 */
import { applyAlarm, applyDashboard } from './appliers/cloudwatch';
import { applyCustomResource } from './appliers/custom-resource';
import { applyGlobalTable, applyTable } from './appliers/dynamodb';
import { applyRule } from './appliers/events';
import { applyStream, applyStreamConsumer } from './appliers/kinesis';
import { applyEventInvokeConfig, applyFunction, applyMapping } from './appliers/lambda';
import { applyLogGroup, applyLogRetention } from './appliers/logs';
import { applyQueue } from './appliers/sqs';
import { applyBucket, applyBucketPolicy, applyParameter } from './appliers/storage';
import { DeployError, type Applier, type DeployClients } from './appliers/types';
import { TemplateError, UnknownValueError } from './intrinsics';
import { isCustomResourceType } from './resource-types';
import type { Planner, ResourceValues, ValueTable } from './plan';
import type { Json } from './template';

export const APPLIERS: Record<string, Applier> = {
  'AWS::Kinesis::Stream': applyStream,
  'AWS::Kinesis::StreamConsumer': applyStreamConsumer,
  'AWS::DynamoDB::Table': applyTable,
  'AWS::DynamoDB::GlobalTable': applyGlobalTable,
  'AWS::SQS::Queue': applyQueue,
  'AWS::Lambda::Function': applyFunction,
  'AWS::Lambda::EventSourceMapping': applyMapping,
  'AWS::Lambda::EventInvokeConfig': applyEventInvokeConfig,
  'AWS::Events::Rule': applyRule,
  'AWS::CloudWatch::Dashboard': applyDashboard,
  'AWS::CloudWatch::Alarm': applyAlarm,
  'AWS::S3::Bucket': applyBucket,
  'AWS::S3::BucketPolicy': applyBucketPolicy,
  'AWS::SSM::Parameter': applyParameter,
  'AWS::Logs::LogGroup': applyLogGroup,
  'Custom::LogRetention': applyLogRetention,
};

/** A type's applier: its service's, or CloudFormation's custom-resource protocol (Custom::…). */
function applierOf(type: string): Applier | undefined {
  return APPLIERS[type] ?? (isCustomResourceType(type) ? applyCustomResource : undefined);
}

export type ResourceAction = 'created' | 'updated' | 'unchanged' | 'accepted';

export interface DeployedResource {
  logicalId: string;
  type: string;
  physicalId: string;
  action: ResourceAction;
  detail?: string;
}

/** What a deploy applied to one resource: the next deploy compares against it. */
export interface RecordedResource {
  type: string;
  physicalId: string;
  properties: Record<string, Json>;
  /** Ref / Fn::GetAtt values, so a later update resolves references to it without applying it again. */
  ref?: Json;
  attrs?: Record<string, Json>;
}

export interface StackResult {
  stackName: string;
  resources: DeployedResource[];
  outputs: Record<string, Json>;
  /** Resource types accepted without emulation, with how many of each. */
  acceptedTypes: Record<string, number>;
  /** What was applied, by logical id. */
  record: Record<string, RecordedResource>;
  warnings: string[];
}

/** A resource failed: the reason, and everything applied before it (for the rollback). */
export class DeployFailure extends DeployError {
  constructor(
    readonly logicalId: string,
    readonly type: string,
    readonly reason: string,
    readonly applied: Record<string, RecordedResource>,
    readonly resources: DeployedResource[],
  ) {
    super(`${logicalId} (${type}): ${reason}`);
  }
}

export interface ExecuteOptions {
  planner: Planner;
  clients: DeployClients;
  /** What the stack's last deploy applied (absent on a first deploy). */
  previous?: Record<string, RecordedResource>;
  /** Called as a resource starts being applied, and after each resource. */
  onStart?: (logicalId: string, type: string) => void;
  onResource?: (r: DeployedResource) => void;
  onWarning?: (message: string) => void;
}

/** The placeholder an attribute of a resource the cloud does not emulate gets (deterministic). */
export function placeholderValue(logicalId: string, attribute: string): string {
  // Letters, digits and hyphens only, so it is a valid name for most services too.
  return `placeholder-${logicalId}-${attribute.replace(/[^A-Za-z0-9]/g, '-')}`;
}

function resolveWithPlaceholders(
  planner: Planner,
  logicalId: string,
  values: ValueTable,
  warn: (m: string) => void,
): Record<string, Json> {
  const type = planner.input.template.Resources[logicalId]!.Type;
  for (;;) {
    try {
      return planner.resolveProperties(logicalId, values, false);
    } catch (err) {
      if (err instanceof TemplateError)
        throw new DeployFailure(logicalId, type, err.message, {}, []);
      if (!(err instanceof UnknownValueError)) throw err;
      const source = planner.input.template.Resources[err.logicalId]?.Type ?? 'unknown type';
      const known = values.get(err.logicalId);
      const custom = isCustomResourceType(source);
      if ((applierOf(source) && !custom) || !known) {
        throw new DeployFailure(
          logicalId,
          type,
          `refers to ${err.logicalId}.${err.attribute}, which is not known (${err.logicalId} is ${source})`,
          {},
          [],
        );
      }
      const value = placeholderValue(err.logicalId, err.attribute);
      if (err.attribute === 'Ref') known.ref = value;
      else known.attrs[err.attribute] = value;
      warn(
        custom
          ? `${logicalId} refers to ${err.logicalId}.${err.attribute}; ${err.logicalId} (${source}) gave no ${err.attribute} in its response's Data, so it gets the placeholder "${value}"`
          : `${logicalId} refers to ${err.logicalId}.${err.attribute}; ${err.logicalId} (${source}) is not emulated, so it gets the placeholder "${value}"`,
      );
    }
  }
}

export async function executePlan(opts: ExecuteOptions): Promise<StackResult> {
  const { planner } = opts;
  const stackName = planner.input.stackName;
  const values: ValueTable = new Map();
  const record: Record<string, RecordedResource> = {};
  const resources: DeployedResource[] = [];
  const acceptedTypes: Record<string, number> = {};
  const warnings: string[] = [];
  const warn = (m: string) => {
    warnings.push(m);
    opts.onWarning?.(m);
  };

  for (const logicalId of planner.order) {
    const type = planner.input.template.Resources[logicalId]!.Type;
    let props: Record<string, Json>;
    try {
      props = resolveWithPlaceholders(planner, logicalId, values, warn);
    } catch (err) {
      if (err instanceof DeployFailure)
        throw new DeployFailure(logicalId, type, err.reason, record, resources);
      throw err;
    }
    const name = planner.physicalName(logicalId, props);
    const predicted = planner.predicted(logicalId, name, props);
    let done: DeployedResource;
    try {
      done = await applyResource(opts, { logicalId, type, props, name, predicted }, values);
    } catch (err) {
      // A custom resource's function was asked to update and may have changed things: recorded
      // with what it was asked, so a rollback asks it to go back (CloudFormation does the same).
      const prev = opts.previous?.[logicalId];
      if (prev && isCustomResourceType(type)) record[logicalId] = { ...prev, properties: props };
      throw new DeployFailure(logicalId, type, (err as Error).message, record, resources);
    }
    if (done.action === 'accepted') acceptedTypes[type] = (acceptedTypes[type] ?? 0) + 1;
    const v = values.get(logicalId)!;
    record[logicalId] = {
      type,
      physicalId: done.physicalId,
      properties: props,
      ...(v.ref !== undefined ? { ref: v.ref } : {}),
      attrs: v.attrs,
    };
    resources.push(done);
    opts.onResource?.(done);
  }
  const outputs = resolveOutputs(planner, values, warn);
  return { stackName, resources, outputs, acceptedTypes, record, warnings };
}

/**
 * Applies one resource through its service's applier, or accepts it with
 * its predicted values when none exists; either way sets its live values.
 */
async function applyResource(
  opts: ExecuteOptions,
  resource: {
    logicalId: string;
    type: string;
    props: Record<string, Json>;
    name: string;
    predicted: ResourceValues;
  },
  values: ValueTable,
): Promise<DeployedResource> {
  const { clients } = opts;
  const { logicalId, type, props, name, predicted } = resource;
  const applier = applierOf(type);
  const prev = opts.previous?.[logicalId];
  if (!applier) {
    values.set(logicalId, predicted);
    return { logicalId, type, physicalId: prev?.physicalId ?? name, action: 'accepted' };
  }
  opts.onStart?.(logicalId, type);
  const r = await applier({
    logicalId,
    type,
    name,
    props,
    previous:
      prev && prev.type === type
        ? { physicalId: prev.physicalId, properties: prev.properties, attrs: prev.attrs }
        : undefined,
    predicted,
    stack: { name: opts.planner.input.stackName, id: opts.planner.pseudo.stackId },
    clients,
  });
  values.set(logicalId, {
    ref: r.values.ref ?? predicted.ref,
    attrs: { ...predicted.attrs, ...r.values.attrs },
  });
  return {
    logicalId,
    type,
    physicalId: r.physicalId,
    action: r.action,
    ...(r.detail ? { detail: r.detail } : {}),
  };
}

/** The stack's outputs; one that refers to an unknown value shows a placeholder and a warning. */
function resolveOutputs(
  planner: Planner,
  values: ValueTable,
  warn: (m: string) => void,
): Record<string, Json> {
  try {
    return planner.resolveOutputs(values, false);
  } catch (err) {
    if (!(err instanceof UnknownValueError)) throw err;
    const outputs = planner.resolveOutputs(values, true);
    warn(
      `an output refers to ${err.logicalId}.${err.attribute}, which is not known; shown as a placeholder`,
    );
    return outputs;
  }
}
