/**
 * CloudFormation intrinsic functions over plain JSON: Ref, Fn::GetAtt,
 * Fn::Join, Fn::Sub, Fn::Select, Fn::Split, Fn::If (+ Conditions: Fn::Equals,
 * Fn::And, Fn::Or, Fn::Not, Condition), Fn::FindInMap, Fn::GetAZs,
 * Fn::Base64, Fn::ToJsonString and the pseudo parameters. Pure: what a Ref or
 * GetAtt of a resource evaluates to comes from the caller (the planner
 * predicts it, the executor knows it after the resource exists).
 */
import type { CfnTemplate, Json } from './template';

export class TemplateError extends Error {}

/** A Ref/GetAtt whose value is not known yet (e.g. an event source mapping's UUID before it exists). */
export class UnknownValueError extends Error {
  constructor(
    readonly logicalId: string,
    readonly attribute: string,
  ) {
    super(`${logicalId}.${attribute} is not known yet`);
  }
}

export interface Pseudo {
  region: string;
  accountId: string;
  partition: string;
  stackName: string;
  stackId: string;
  urlSuffix: string;
}

export interface ResolveContext {
  pseudo: Pseudo;
  template: CfnTemplate;
  /** Parameter values (given or defaults). */
  parameters: Record<string, Json>;
  /** Evaluated conditions; filled by evaluateConditions. */
  conditions: Record<string, boolean>;
  /** Value of `Ref: logicalId` for a resource; throw UnknownValueError when not known. */
  ref(logicalId: string): Json;
  /** Value of `Fn::GetAtt: [logicalId, attribute]`; throw UnknownValueError when not known. */
  getAtt(logicalId: string, attribute: string): Json;
  /** Value of an export (Fn::ImportValue); absent = cross-stack references unsupported. */
  importValue?(name: string): Json;
}

/** Marker for AWS::NoValue: the property or list element disappears. */
const NO_VALUE = Symbol('AWS::NoValue');
type Resolved = Json | typeof NO_VALUE;

export function pseudoValue(name: string, p: Pseudo): Json | typeof NO_VALUE | undefined {
  switch (name) {
    case 'AWS::Region':
      return p.region;
    case 'AWS::AccountId':
      return p.accountId;
    case 'AWS::Partition':
      return p.partition;
    case 'AWS::StackName':
      return p.stackName;
    case 'AWS::StackId':
      return p.stackId;
    case 'AWS::URLSuffix':
      return p.urlSuffix;
    case 'AWS::NotificationARNs':
      return [];
    case 'AWS::NoValue':
      return NO_VALUE;
    default:
      return undefined;
  }
}

const isObject = (v: unknown): v is Record<string, Json> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Resolve every intrinsic in `value`. */
export function resolveValue(value: Json, ctx: ResolveContext): Json {
  const out = resolveInner(value, ctx);
  return out === NO_VALUE ? null : out;
}

function resolveInner(value: Json, ctx: ResolveContext): Resolved {
  if (Array.isArray(value)) {
    const items: Json[] = [];
    for (const item of value) {
      const r = resolveInner(item, ctx);
      if (r !== NO_VALUE) items.push(r);
    }
    return items;
  }
  if (!isObject(value)) return value;
  const keys = Object.keys(value);
  if (keys.length === 1) {
    const key = keys[0]!;
    const arg = value[key]!;
    if (key === 'Ref') return resolveRef(arg, ctx);
    if (key.startsWith('Fn::') || key === 'Condition') return resolveFn(key, arg, ctx);
  }
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(value)) {
    const r = resolveInner(v, ctx);
    if (r !== NO_VALUE) out[k] = r;
  }
  return out;
}

function resolveRef(arg: Json, ctx: ResolveContext): Resolved {
  if (typeof arg !== 'string')
    throw new TemplateError(`Ref needs a name, got ${JSON.stringify(arg)}`);
  const pseudo = pseudoValue(arg, ctx.pseudo);
  if (pseudo !== undefined) return pseudo;
  if (ctx.template.Parameters && arg in ctx.template.Parameters) {
    const v = ctx.parameters[arg];
    if (v === undefined) throw new TemplateError(`parameter ${arg} has no value and no Default`);
    return v;
  }
  if (arg in ctx.template.Resources) return ctx.ref(arg);
  throw new TemplateError(`Ref to unknown name "${arg}"`);
}

function asString(v: Resolved, what: string): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new TemplateError(`${what} must be a string, got ${JSON.stringify(v)}`);
}

function asList(v: Resolved, what: string): Json[] {
  if (Array.isArray(v)) return v;
  throw new TemplateError(`${what} must be a list, got ${JSON.stringify(v)}`);
}

type Intrinsic = (arg: Json, ctx: ResolveContext, fn: string) => Resolved;

/** Value functions: what a property is made of. */
const VALUE_FUNCTIONS: Record<string, Intrinsic> = {
  'Fn::GetAtt': (arg, ctx, fn) => {
    const [id, attr] =
      typeof arg === 'string' ? splitOnce(arg, '.') : (asList(arg, fn) as [Json, Json]);
    const logicalId = asString(id as Json, 'Fn::GetAtt logical id');
    const attribute = asString(resolveInner(attr as Json, ctx), 'Fn::GetAtt attribute');
    if (!(logicalId in ctx.template.Resources))
      throw new TemplateError(`Fn::GetAtt of unknown resource "${logicalId}"`);
    return ctx.getAtt(logicalId, attribute);
  },
  'Fn::Join': (arg, ctx, fn) => {
    const [delim, list] = asList(arg, fn);
    const items = asList(resolveInner(list as Json, ctx), 'Fn::Join list');
    return items
      .map((i) => asString(i, 'Fn::Join element'))
      .join(asString(delim as Json, 'Fn::Join delimiter'));
  },
  'Fn::Sub': (arg, ctx) => resolveSub(arg, ctx),
  'Fn::Select': (arg, ctx, fn) => {
    const [index, list] = asList(arg, fn);
    const i = Number(resolveInner(index as Json, ctx));
    const items = asList(resolveInner(list as Json, ctx), 'Fn::Select list');
    if (!Number.isInteger(i) || i < 0 || i >= items.length) {
      throw new TemplateError(`Fn::Select index ${i} out of range (list of ${items.length})`);
    }
    return items[i]!;
  },
  'Fn::Split': (arg, ctx, fn) => {
    const [delim, source] = asList(arg, fn);
    return asString(resolveInner(source as Json, ctx), 'Fn::Split source').split(
      asString(delim as Json, 'Fn::Split delimiter'),
    );
  },
  'Fn::FindInMap': (arg, ctx, fn) => {
    const [map, top, second] = asList(arg, fn).map((a) =>
      asString(resolveInner(a, ctx), 'Fn::FindInMap key'),
    );
    const v = ctx.template.Mappings?.[map!]?.[top!]?.[second!];
    if (v === undefined) throw new TemplateError(`Fn::FindInMap: no ${map}/${top}/${second}`);
    return v;
  },
  'Fn::GetAZs': (arg, ctx) => {
    const region = asString(resolveInner(arg, ctx), 'Fn::GetAZs region') || ctx.pseudo.region;
    return ['a', 'b', 'c'].map((z) => `${region}${z}`);
  },
  'Fn::Base64': (arg, ctx) =>
    Buffer.from(asString(resolveInner(arg, ctx), 'Fn::Base64 value')).toString('base64'),
  'Fn::ToJsonString': (arg, ctx) => JSON.stringify(resolveInner(arg, ctx)),
  'Fn::ImportValue': (arg, ctx) => {
    const name = asString(resolveInner(arg, ctx), 'Fn::ImportValue name');
    if (!ctx.importValue)
      throw new TemplateError(
        `Fn::ImportValue ${name}: cross-stack references need the CloudFormation API`,
      );
    return ctx.importValue(name);
  },
};

/** Condition functions: Fn::If and the boolean logic of Conditions. */
const CONDITION_FUNCTIONS: Record<string, Intrinsic> = {
  'Fn::If': (arg, ctx, fn) => {
    const [cond, whenTrue, whenFalse] = asList(arg, fn);
    return conditionValue(asString(cond as Json, 'Fn::If condition'), ctx)
      ? resolveInner(whenTrue as Json, ctx)
      : resolveInner(whenFalse as Json, ctx);
  },
  'Fn::Equals': (arg, ctx, fn) => {
    const [a, b] = asList(arg, fn);
    return (
      JSON.stringify(resolveInner(a as Json, ctx)) === JSON.stringify(resolveInner(b as Json, ctx))
    );
  },
  'Fn::And': (arg, ctx, fn) => asList(arg, fn).every((c) => resolveInner(c, ctx) === true),
  'Fn::Or': (arg, ctx, fn) => asList(arg, fn).some((c) => resolveInner(c, ctx) === true),
  'Fn::Not': (arg, ctx, fn) => resolveInner(asList(arg, fn)[0] as Json, ctx) !== true,
  Condition: (arg, ctx) => conditionValue(asString(arg, 'Condition'), ctx),
};

/** Rule functions: the assertions of a template's Rules. */
const RULE_FUNCTIONS: Record<string, Intrinsic> = {
  'Fn::Contains': (arg, ctx, fn) => {
    const [list, v] = asList(arg, fn);
    const items = asList(resolveInner(list as Json, ctx), 'Fn::Contains list');
    const want = JSON.stringify(resolveInner(v as Json, ctx));
    return items.some((i) => JSON.stringify(i) === want);
  },
  'Fn::EachMemberEquals': (arg, ctx, fn) => {
    const [list, v] = asList(arg, fn);
    const want = JSON.stringify(resolveInner(v as Json, ctx));
    return asList(resolveInner(list as Json, ctx), fn).every((i) => JSON.stringify(i) === want);
  },
  'Fn::EachMemberIn': (arg, ctx, fn) => {
    const [list, allowed] = asList(arg, fn).map((a) => asList(resolveInner(a, ctx), fn));
    const ok = new Set(allowed!.map((a) => JSON.stringify(a)));
    return list!.every((i) => ok.has(JSON.stringify(i)));
  },
};

const INTRINSICS: Record<string, Intrinsic> = {
  ...VALUE_FUNCTIONS,
  ...CONDITION_FUNCTIONS,
  ...RULE_FUNCTIONS,
};

function resolveFn(fn: string, arg: Json, ctx: ResolveContext): Resolved {
  const intrinsic = Object.hasOwn(INTRINSICS, fn) ? INTRINSICS[fn] : undefined;
  if (!intrinsic) throw new TemplateError(`${fn} is not supported by deploy:local`);
  return intrinsic(arg, ctx, fn);
}

function splitOnce(s: string, sep: string): [string, string] {
  const i = s.indexOf(sep);
  if (i < 0) throw new TemplateError(`Fn::GetAtt "${s}" needs the form LogicalId.Attribute`);
  return [s.slice(0, i), s.slice(i + 1)];
}

function resolveSub(arg: Json, ctx: ResolveContext): Resolved {
  const [template, vars] =
    typeof arg === 'string' ? [arg, {}] : (asList(arg, 'Fn::Sub') as [Json, Json]);
  const text = asString(template as Json, 'Fn::Sub template');
  const local: Record<string, Json> = {};
  if (isObject(vars)) for (const [k, v] of Object.entries(vars)) local[k] = resolveValue(v, ctx);
  // ${!Literal} is written out as ${Literal}.
  return text.replace(/\$\{([^}]*)\}/g, (_whole, name: string) => {
    if (name.startsWith('!')) return `\${${name.slice(1)}}`;
    const key = name.trim();
    if (key in local) return asString(local[key]!, `Fn::Sub variable ${key}`);
    if (key.includes('.') && !key.startsWith('AWS::')) {
      const [id, attr] = splitOnce(key, '.');
      return asString(resolveFn('Fn::GetAtt', [id, attr], ctx), `Fn::Sub \${${key}}`);
    }
    return asString(resolveRef(key, ctx), `Fn::Sub \${${key}}`);
  });
}

function conditionValue(name: string, ctx: ResolveContext): boolean {
  if (name in ctx.conditions) return ctx.conditions[name]!;
  const expr = ctx.template.Conditions?.[name];
  if (expr === undefined) throw new TemplateError(`unknown condition "${name}"`);
  // Mark before evaluating so a cyclic condition fails instead of recursing forever.
  ctx.conditions[name] = false;
  const value = resolveInner(expr, ctx);
  if (typeof value !== 'boolean')
    throw new TemplateError(`condition ${name} does not evaluate to true/false`);
  ctx.conditions[name] = value;
  return value;
}

/** Evaluate every condition of the template into ctx.conditions. */
export function evaluateConditions(ctx: ResolveContext): Record<string, boolean> {
  for (const name of Object.keys(ctx.template.Conditions ?? {})) conditionValue(name, ctx);
  return ctx.conditions;
}

/**
 * Logical ids of resources that `value` refers to (Ref, Fn::GetAtt, Fn::Sub
 * ${Id} / ${Id.Attr}), in both branches of every Fn::If: the order a
 * resource must come after.
 */
export function referencedResources(
  value: Json,
  template: CfnTemplate,
  into = new Set<string>(),
): Set<string> {
  const resources = template.Resources;
  const visit = (v: Json): void => {
    if (Array.isArray(v)) {
      v.forEach(visit);
      return;
    }
    if (!isObject(v)) return;
    const keys = Object.keys(v);
    if (keys.length === 1) {
      const key = keys[0]!;
      const arg = v[key]!;
      if (key === 'Ref' && typeof arg === 'string' && arg in resources) into.add(arg);
      if (key === 'Fn::GetAtt') {
        const id =
          typeof arg === 'string' ? arg.split('.')[0] : Array.isArray(arg) ? arg[0] : undefined;
        if (typeof id === 'string' && id in resources) into.add(id);
      }
      if (key === 'Fn::Sub') {
        const text = typeof arg === 'string' ? arg : Array.isArray(arg) ? arg[0] : undefined;
        const vars = Array.isArray(arg) && isObject(arg[1]) ? arg[1] : {};
        if (typeof text === 'string') {
          for (const m of text.matchAll(/\$\{([^}!][^}]*)\}/g)) {
            const id = m[1]!.trim().split('.')[0]!;
            if (id in resources && !(id in vars)) into.add(id);
          }
        }
      }
    }
    Object.values(v).forEach(visit);
  };
  visit(value);
  return into;
}
