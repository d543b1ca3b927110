/**
 * What CloudFormation works out from a request before any resource is
 * touched (pure apart from reading SSM): parameter values (given, previous,
 * default, or from SSM Parameter Store for AWS::SSM::Parameter::Value<…>
 * types), the template's Rules, the capabilities it needs, and the changes a
 * new template makes to a stack's resources.
 */
import { canonicalJson } from '../deploy/diff';
import { evaluateConditions, resolveValue, type Pseudo } from '../deploy/intrinsics';
import type { CfnTemplate, Json } from '../deploy/template';
import type { ParameterStore } from '../ssm/parameter-store';
import type { ChangeState, ParameterValue } from './stack-store';

export class ValidationError extends Error {
  constructor(
    message: string,
    readonly code = 'ValidationError',
  ) {
    super(message);
  }
}

export interface GivenParameter {
  ParameterKey?: string;
  ParameterValue?: string;
  UsePreviousValue?: boolean | string;
}

const SSM_TYPE = /^AWS::SSM::Parameter::Value<(.+)>$/;

/** Parameter values for a template, and the plain values the deploy engine resolves Ref with. */
export function resolveParameters(
  template: CfnTemplate,
  given: GivenParameter[],
  previous: ParameterValue[],
  ssm: ParameterStore,
): { values: ParameterValue[]; plain: Record<string, Json> } {
  const declared = template.Parameters ?? {};
  for (const g of given)
    if (!g.ParameterKey || !(g.ParameterKey in declared))
      throw new ValidationError(`Parameters: [${g.ParameterKey}] do not exist in the template`);
  const values: ParameterValue[] = [];
  const plain: Record<string, Json> = {};
  const missing: string[] = [];
  for (const [key, p] of Object.entries(declared)) {
    const g = given.find((x) => x.ParameterKey === key);
    const usePrevious = g?.UsePreviousValue === true || g?.UsePreviousValue === 'true';
    const value: string | undefined = usePrevious
      ? previous.find((x) => x.key === key)?.value
      : (g?.ParameterValue ?? (p.Default === undefined ? undefined : String(p.Default)));
    if (value === undefined) {
      missing.push(key);
      continue;
    }
    if (p.AllowedValues && !p.AllowedValues.map(String).includes(value))
      throw new ValidationError(`Parameter '${key}' must be one of AllowedValues`);
    const pattern = (p as { AllowedPattern?: string }).AllowedPattern;
    if (pattern && !new RegExp(`^(?:${pattern})$`).test(value))
      throw new ValidationError(`Parameter '${key}' must match pattern ${pattern}`);
    const ssmType = SSM_TYPE.exec(p.Type);
    let resolved: string | undefined;
    if (ssmType) {
      const stored = ssm.get(value);
      if (!stored)
        throw new ValidationError(
          `Unable to fetch parameters [${value}] from parameter store for this account.`,
        );
      resolved = stored.value;
    }
    const effective = resolved ?? value;
    plain[key] = /List/.test(p.Type) ? effective.split(',').map((v) => v.trim()) : effective;
    values.push({
      key,
      value,
      ...(resolved !== undefined ? { resolved } : {}),
      ...((p as { NoEcho?: boolean | string }).NoEcho === true ||
      (p as { NoEcho?: boolean | string }).NoEcho === 'true'
        ? { noEcho: true }
        : {}),
    });
  }
  if (missing.length > 0)
    throw new ValidationError(`Parameters: [${missing.join(', ')}] must have values`);
  return { values, plain };
}

/** The template's Rules: a failed assertion refuses the request with its AssertDescription. */
export function checkRules(
  template: CfnTemplate,
  parameters: Record<string, Json>,
  pseudo: Pseudo,
): void {
  const rules = (template.Rules ?? {}) as Record<
    string,
    { RuleCondition?: Json; Assertions?: Array<{ Assert: Json; AssertDescription?: string }> }
  >;
  const ctx = {
    pseudo,
    template,
    parameters,
    conditions: {},
    ref: () => null,
    getAtt: () => null,
  };
  evaluateConditions(ctx);
  for (const [name, rule] of Object.entries(rules)) {
    if (rule.RuleCondition !== undefined && resolveValue(rule.RuleCondition, ctx) !== true)
      continue;
    for (const a of rule.Assertions ?? []) {
      if (resolveValue(a.Assert, ctx) !== true)
        throw new ValidationError(a.AssertDescription ?? `Template rule ${name} failed`);
    }
  }
}

const IAM_TYPES = new Set([
  'AWS::IAM::Role',
  'AWS::IAM::User',
  'AWS::IAM::Group',
  'AWS::IAM::Policy',
  'AWS::IAM::ManagedPolicy',
  'AWS::IAM::InstanceProfile',
  'AWS::IAM::AccessKey',
  'AWS::IAM::UserToGroupAddition',
]);
const NAME_PROPERTY: Record<string, string> = {
  'AWS::IAM::Role': 'RoleName',
  'AWS::IAM::User': 'UserName',
  'AWS::IAM::Group': 'GroupName',
  'AWS::IAM::ManagedPolicy': 'ManagedPolicyName',
  'AWS::IAM::InstanceProfile': 'InstanceProfileName',
};

/** CAPABILITY_IAM / CAPABILITY_NAMED_IAM the template needs. */
export function requiredCapabilities(template: CfnTemplate): string[] {
  let iam = false;
  let named = false;
  for (const r of Object.values(template.Resources)) {
    if (!IAM_TYPES.has(r.Type)) continue;
    iam = true;
    const n = NAME_PROPERTY[r.Type];
    if (n && r.Properties?.[n] !== undefined) named = true;
  }
  return named ? ['CAPABILITY_NAMED_IAM'] : iam ? ['CAPABILITY_IAM'] : [];
}

export function checkCapabilities(template: CfnTemplate, granted: string[]): void {
  const need = requiredCapabilities(template);
  const ok = need.every(
    (c) =>
      granted.includes(c) || (c === 'CAPABILITY_IAM' && granted.includes('CAPABILITY_NAMED_IAM')),
  );
  if (!ok)
    throw new ValidationError(
      `Requires capabilities : [${need.join(', ')}]`,
      'InsufficientCapabilitiesException',
    );
}

function referencedParameters(value: Json, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) value.forEach((v) => referencedParameters(v, into));
  else if (value && typeof value === 'object') {
    if (typeof value.Ref === 'string') into.add(value.Ref);
    const sub = value['Fn::Sub'];
    const text = typeof sub === 'string' ? sub : Array.isArray(sub) ? sub[0] : undefined;
    if (typeof text === 'string')
      for (const m of text.matchAll(/\$\{([^}!.]+)\}/g)) into.add(m[1]!.trim());
    Object.values(value).forEach((v) => referencedParameters(v, into));
  }
  return into;
}

/** Resource changes from one template (and parameter values) to the next, as a change set lists them. */
export function resourceChanges(
  before: {
    template?: CfnTemplate;
    parameters: ParameterValue[];
    physicalIds: Record<string, string>;
  },
  after: { template: CfnTemplate; parameters: ParameterValue[] },
): ChangeState[] {
  const old = before.template?.Resources ?? {};
  const changedParams = new Set(
    after.parameters
      .filter((p) => before.parameters.find((q) => q.key === p.key)?.value !== p.value)
      .map((p) => p.key),
  );
  const changes: ChangeState[] = [];
  for (const [id, r] of Object.entries(after.template.Resources)) {
    const prev = old[id];
    if (!prev) {
      changes.push({ action: 'Add', logicalId: id, type: r.Type, details: [] });
      continue;
    }
    const props = new Set([
      ...Object.keys(prev.Properties ?? {}),
      ...Object.keys(r.Properties ?? {}),
    ]);
    const details = [...props].filter(
      (k) =>
        canonicalJson(prev.Properties?.[k]) !== canonicalJson(r.Properties?.[k]) ||
        [...referencedParameters(r.Properties?.[k] ?? null)].some((p) => changedParams.has(p)),
    );
    const other =
      canonicalJson({ ...prev, Properties: null, Metadata: null }) !==
      canonicalJson({ ...r, Properties: null, Metadata: null });
    if (details.length === 0 && !other) continue;
    const nameProp =
      NAME_PROPERTY[r.Type] ??
      Object.keys(r.Properties ?? {}).find((k) => /^(\w+)?Name$/.test(k) && k !== 'FunctionName');
    changes.push({
      action: 'Modify',
      logicalId: id,
      physicalId: before.physicalIds[id],
      type: r.Type,
      replacement:
        prev.Type !== r.Type || (nameProp !== undefined && details.includes(nameProp))
          ? 'True'
          : 'False',
      details: details.sort(),
    });
  }
  for (const [id, r] of Object.entries(old))
    if (!(id in after.template.Resources))
      changes.push({
        action: 'Remove',
        logicalId: id,
        physicalId: before.physicalIds[id],
        type: r.Type,
        details: [],
      });
  return changes;
}
