/**
 * The deploy executor: walks the plan in order, resolves each resource's
 * properties with the live values of everything before it, hands it to its
 * service's applier (AWS SDK calls against the endpoint), and records what it
 * did. Types without an applier are accepted, not emulated (IAM, log groups,
 * permissions, ...), with names and ARNs formed as AWS forms them.
 */
import { applyAlarm, applyDashboard } from './appliers/cloudwatch';
import { applyTable } from './appliers/dynamodb';
import { applyRule } from './appliers/events';
import { applyStream } from './appliers/kinesis';
import { applyEventInvokeConfig, applyFunction, applyMapping } from './appliers/lambda';
import { applyQueue } from './appliers/sqs';
import { DeployError, type Applier, type DeployClients } from './appliers/types';
import { readRecord, writeRecord, type DeploymentRecord } from './deployment-record';
import { TemplateError, UnknownValueError } from './intrinsics';
import type { Planner, ValueTable } from './plan';
import type { Json } from './template';

export const APPLIERS: Record<string, Applier> = {
  'AWS::Kinesis::Stream': applyStream,
  'AWS::DynamoDB::Table': applyTable,
  'AWS::SQS::Queue': applyQueue,
  'AWS::Lambda::Function': applyFunction,
  'AWS::Lambda::EventSourceMapping': applyMapping,
  'AWS::Lambda::EventInvokeConfig': applyEventInvokeConfig,
  'AWS::Events::Rule': applyRule,
  'AWS::CloudWatch::Dashboard': applyDashboard,
  'AWS::CloudWatch::Alarm': applyAlarm,
};

export type ResourceAction = 'created' | 'updated' | 'unchanged' | 'accepted';

export interface DeployedResource {
  logicalId: string;
  type: string;
  physicalId: string;
  action: ResourceAction;
  detail?: string;
}

export interface StackResult {
  stackName: string;
  resources: DeployedResource[];
  outputs: Record<string, Json>;
  /** Resource types accepted without emulation, with how many of each. */
  acceptedTypes: Record<string, number>;
}

export interface ExecuteOptions {
  planner: Planner;
  clients: DeployClients;
  endpoint: string;
  stateDir: string;
  /** Called after each resource, for progress output. */
  onResource?: (r: DeployedResource) => void;
}

export async function executePlan(opts: ExecuteOptions): Promise<StackResult> {
  const { planner, clients, endpoint, stateDir } = opts;
  const stackName = planner.input.stackName;
  const previous = readRecord(stateDir, stackName, endpoint);
  const record: DeploymentRecord = {
    stackName,
    endpoint,
    deployedAt: new Date().toISOString(),
    resources: {},
  };
  const values: ValueTable = new Map();
  const resources: DeployedResource[] = [];
  const acceptedTypes: Record<string, number> = {};

  try {
    for (const logicalId of planner.order) {
      const type = planner.input.template.Resources[logicalId]!.Type;
      let props: Record<string, Json>;
      try {
        props = planner.resolveProperties(logicalId, values, false);
      } catch (err) {
        if (err instanceof TemplateError)
          throw new DeployError(`${logicalId} (${type}): ${err.message}`);
        if (!(err instanceof UnknownValueError)) throw err;
        const source = planner.input.template.Resources[err.logicalId]?.Type ?? 'unknown type';
        throw new DeployError(
          `${logicalId} (${type}) refers to ${err.logicalId}.${err.attribute}, which deploy:local cannot provide ` +
            `(${err.logicalId} is ${source}${APPLIERS[source] ? '' : ', accepted, not emulated'})`,
        );
      }
      const name = planner.physicalName(logicalId, props);
      const predicted = planner.predicted(logicalId, name, props);
      const applier = APPLIERS[type];
      let done: DeployedResource;
      if (!applier) {
        values.set(logicalId, predicted);
        acceptedTypes[type] = (acceptedTypes[type] ?? 0) + 1;
        done = { logicalId, type, physicalId: name, action: 'accepted' };
      } else {
        const prev = previous?.resources[logicalId];
        try {
          const r = await applier({
            logicalId,
            type,
            name,
            props,
            previous:
              prev && prev.type === type
                ? { physicalId: prev.physicalId, properties: prev.properties }
                : undefined,
            predicted,
            clients,
            stateDir,
          });
          values.set(logicalId, {
            ref: r.values.ref ?? predicted.ref,
            attrs: { ...predicted.attrs, ...r.values.attrs },
          });
          done = {
            logicalId,
            type,
            physicalId: r.physicalId,
            action: r.action,
            ...(r.detail ? { detail: r.detail } : {}),
          };
        } catch (err) {
          throw new DeployError(`${logicalId} (${type} ${name}): ${(err as Error).message}`);
        }
      }
      record.resources[logicalId] = { type, physicalId: done.physicalId, properties: props };
      resources.push(done);
      opts.onResource?.(done);
    }
  } finally {
    // Keep what was applied, even when a later resource failed: the next deploy diffs against it.
    const merged = { ...previous?.resources, ...record.resources };
    const active = new Set(planner.order);
    writeRecord(stateDir, {
      ...record,
      resources: Object.fromEntries(Object.entries(merged).filter(([id]) => active.has(id))),
    });
  }
  return { stackName, resources, outputs: planner.resolveOutputs(values, false), acceptedTypes };
}
