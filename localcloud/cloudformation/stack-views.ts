/**
 * CloudFormation's answers built from the stack store (pure): the shapes
 * DescribeStacks, DescribeStackEvents, the stack-resource calls,
 * DescribeChangeSet and ListStacks return, ready for the query protocol's
 * XML encoder (dates as Date, lists as arrays).
 */
import type { CfnTemplate } from '../deploy/template';
import { requiredCapabilities } from './stack-input';
import type { ChangeSetState, StackState } from './stack-store';

export function stackView(s: StackState) {
  return {
    StackId: s.id,
    StackName: s.name,
    ...(s.description ? { Description: s.description } : {}),
    ...(Object.keys(s.changeSets).length > 0 ? {} : {}),
    Parameters: s.parameters.map((p) => ({
      ParameterKey: p.key,
      ParameterValue: p.noEcho ? '****' : p.value,
      ...(p.resolved !== undefined ? { ResolvedValue: p.noEcho ? '****' : p.resolved } : {}),
    })),
    CreationTime: new Date(s.created),
    ...(s.updated ? { LastUpdatedTime: new Date(s.updated) } : {}),
    ...(s.deleted ? { DeletionTime: new Date(s.deleted) } : {}),
    StackStatus: s.status,
    ...(s.reason ? { StackStatusReason: s.reason } : {}),
    DisableRollback: s.disableRollback,
    NotificationARNs: [],
    Capabilities: s.capabilities,
    Outputs: s.outputs.map((o) => ({
      OutputKey: o.key,
      OutputValue: o.value,
      ...(o.description ? { Description: o.description } : {}),
      ...(o.exportName ? { ExportName: o.exportName } : {}),
    })),
    Tags: s.tags,
    EnableTerminationProtection: s.terminationProtection,
    DriftInformation: { StackDriftStatus: 'NOT_CHECKED' },
  };
}

export function summaryView(s: StackState) {
  return {
    StackId: s.id,
    StackName: s.name,
    ...(s.description ? { TemplateDescription: s.description } : {}),
    CreationTime: new Date(s.created),
    ...(s.updated ? { LastUpdatedTime: new Date(s.updated) } : {}),
    ...(s.deleted ? { DeletionTime: new Date(s.deleted) } : {}),
    StackStatus: s.status,
    ...(s.reason ? { StackStatusReason: s.reason } : {}),
    DriftInformation: { StackDriftStatus: 'NOT_CHECKED' },
  };
}

/** Newest first, as CloudFormation lists them. */
export function eventViews(s: StackState) {
  return [...s.events].reverse().map((e) => ({
    StackId: s.id,
    EventId: e.eventId,
    StackName: s.name,
    LogicalResourceId: e.logicalId,
    PhysicalResourceId: e.physicalId,
    ResourceType: e.type,
    Timestamp: new Date(e.timestamp),
    ResourceStatus: e.status,
    ...(e.reason ? { ResourceStatusReason: e.reason } : {}),
  }));
}

export function resourceViews(s: StackState, logicalId?: string) {
  return Object.entries(s.resources)
    .filter(([id]) => logicalId === undefined || id === logicalId)
    .map(([id, r]) => ({
      StackName: s.name,
      StackId: s.id,
      LogicalResourceId: id,
      PhysicalResourceId: r.physicalId,
      ResourceType: r.type,
      Timestamp: new Date(r.updated),
      LastUpdatedTimestamp: new Date(r.updated),
      ResourceStatus: r.status,
      ...(r.reason ? { ResourceStatusReason: r.reason } : {}),
      DriftInformation: { StackResourceDriftStatus: 'NOT_CHECKED' },
    }));
}

export function summaryResourceViews(s: StackState) {
  return resourceViews(s).map((r) => ({
    LogicalResourceId: r.LogicalResourceId,
    PhysicalResourceId: r.PhysicalResourceId,
    ResourceType: r.ResourceType,
    LastUpdatedTimestamp: r.LastUpdatedTimestamp,
    ResourceStatus: r.ResourceStatus,
    DriftInformation: { StackResourceDriftStatus: 'NOT_CHECKED' },
  }));
}

export function changeSetView(cs: ChangeSetState, s: StackState) {
  return {
    ChangeSetName: cs.name,
    ChangeSetId: cs.id,
    StackId: s.id,
    StackName: s.name,
    ...(cs.description ? { Description: cs.description } : {}),
    Parameters: cs.parameters.map((p) => ({
      ParameterKey: p.key,
      ParameterValue: p.noEcho ? '****' : p.value,
      ...(p.resolved !== undefined ? { ResolvedValue: p.resolved } : {}),
    })),
    CreationTime: new Date(cs.created),
    ExecutionStatus: cs.executionStatus,
    Status: cs.status,
    ...(cs.statusReason ? { StatusReason: cs.statusReason } : {}),
    NotificationARNs: [],
    Capabilities: cs.capabilities,
    Tags: cs.tags,
    Changes: cs.changes.map((c) => ({
      Type: 'Resource',
      ResourceChange: {
        Action: c.action,
        LogicalResourceId: c.logicalId,
        ...(c.physicalId ? { PhysicalResourceId: c.physicalId } : {}),
        ResourceType: c.type,
        ...(c.replacement ? { Replacement: c.replacement } : {}),
        Scope: c.details.length > 0 ? ['Properties'] : [],
        Details: c.details.map((name) => ({
          Target: {
            Attribute: 'Properties',
            Name: name,
            RequiresRecreation: c.replacement === 'True' ? 'Always' : 'Never',
          },
          Evaluation: 'Static',
          ChangeSource: 'DirectModification',
        })),
      },
    })),
    IncludeNestedStacks: false,
  };
}

/** What GetTemplateSummary / ValidateTemplate say about a template. */
export function templateSummary(t: CfnTemplate) {
  const caps = requiredCapabilities(t);
  return {
    Parameters: Object.entries(t.Parameters ?? {}).map(([k, p]) => ({
      ParameterKey: k,
      ...(p.Default !== undefined ? { DefaultValue: String(p.Default) } : {}),
      ParameterType: p.Type,
      NoEcho:
        (p as { NoEcho?: unknown }).NoEcho === true ||
        (p as { NoEcho?: unknown }).NoEcho === 'true',
      ...((p as { Description?: string }).Description
        ? { Description: (p as { Description?: string }).Description }
        : {}),
      ParameterConstraints: p.AllowedValues ? { AllowedValues: p.AllowedValues.map(String) } : {},
    })),
    ...(t.Description ? { Description: t.Description } : {}),
    Capabilities: caps,
    ...(caps.length > 0
      ? { CapabilitiesReason: 'The following resource(s) require capabilities: [AWS::IAM::Role]' }
      : {}),
    ResourceTypes: [...new Set(Object.values(t.Resources).map((r) => r.Type))],
    Version: '2010-09-09',
    DeclaredTransforms: [],
    ResourceIdentifierSummaries: [],
  };
}
