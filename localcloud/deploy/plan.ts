/**
 * The deploy planner: a synthesized template, its assets manifest and
 * parameter values in; the resources to create or update out, in an order
 * where everything a resource refers to comes first (DependsOn plus every
 * Ref / Fn::GetAtt / Fn::Sub reference), with intrinsics resolved. Pure:
 * no AWS, no files.
 *
 * Values only a service assigns (an event source mapping's UUID) are shown as
 * placeholders in the plan; the executor resolves each resource again, with
 * the live values of what came before it, just before applying it.
 */
import { isAbsolute, join } from 'node:path';
import {
  TemplateError,
  UnknownValueError,
  evaluateConditions,
  referencedResources,
  resolveValue,
  type Pseudo,
  type ResolveContext,
} from './intrinsics';
import {
  handlingOf,
  physicalName,
  predictedValues,
  type Handling,
  type Place,
} from './resource-types';
import type { AssetsManifest, CfnTemplate, Json } from './template';
import { ACCOUNT_ID } from '../config';

/** Ref and Fn::GetAtt values of one resource. */
export interface ResourceValues {
  ref?: Json;
  attrs: Record<string, Json>;
}
export type ValueTable = Map<string, ResourceValues>;

export interface PlannedResource {
  logicalId: string;
  type: string;
  handling: Handling;
  physicalName: string;
  /** Resources that must exist first (explicit DependsOn and references), in plan order. */
  dependsOn: string[];
  /** Properties with intrinsics resolved (placeholders for service-assigned values). */
  properties: Record<string, Json>;
}

export interface DeployPlan {
  stackName: string;
  place: Place;
  resources: PlannedResource[];
  /** Resources whose Condition is false. */
  skipped: Array<{ logicalId: string; type: string; condition: string }>;
  outputs: Record<string, Json>;
}

export interface PlanInput {
  template: CfnTemplate;
  assets?: AssetsManifest;
  /** Absolute cdk.out directory: asset paths in the manifest are relative to it. */
  cdkOut: string;
  stackName: string;
  endpoint: string;
  region?: string;
  accountId?: string;
  parameters?: Record<string, Json>;
  /** The stack's id (AWS::StackId); default a local one from the name. */
  stackId?: string;
  /** Fn::ImportValue: another stack's export. */
  importValue?: (name: string) => Json;
}

/** LocalStack's and the emulators' account id. */
export const LOCAL_ACCOUNT_ID = ACCOUNT_ID;

/** The S3 bucket name by which LocalStack's (and our) Lambda takes code from a local directory. */
export const HOT_RELOAD_BUCKET = 'hot-reload';

export class Planner {
  readonly place: Place;
  readonly pseudo: Pseudo;
  readonly parameters: Record<string, Json>;
  readonly conditions: Record<string, boolean>;
  readonly order: string[];
  private readonly deps = new Map<string, string[]>();

  constructor(readonly input: PlanInput) {
    const { template } = input;
    if (!template || typeof template.Resources !== 'object')
      throw new TemplateError('template has no Resources');
    this.place = {
      region: input.region ?? 'us-east-1',
      accountId: input.accountId ?? LOCAL_ACCOUNT_ID,
      partition: 'aws',
      stackName: input.stackName,
      endpoint: input.endpoint,
    };
    this.pseudo = {
      region: this.place.region,
      accountId: this.place.accountId,
      partition: this.place.partition,
      stackName: input.stackName,
      stackId:
        input.stackId ??
        `arn:aws:cloudformation:${this.place.region}:${this.place.accountId}:stack/${input.stackName}/local`,
      urlSuffix: 'amazonaws.com',
    };
    this.parameters = {};
    for (const [name, p] of Object.entries(template.Parameters ?? {})) {
      const v = input.parameters?.[name] ?? p.Default;
      if (v !== undefined) this.parameters[name] = v;
    }
    for (const name of Object.keys(input.parameters ?? {})) {
      if (!template.Parameters || !(name in template.Parameters))
        throw new TemplateError(`the template has no parameter "${name}"`);
    }
    this.conditions = evaluateConditions(this.context(new Map(), true));
    this.order = this.sortResources();
  }

  /** Resources that exist under the template's conditions, dependencies first. */
  private sortResources(): string[] {
    const resources = this.input.template.Resources;
    const active = Object.keys(resources).filter((id) => this.isActive(id));
    for (const id of active) {
      const r = resources[id]!;
      const explicit =
        r.DependsOn === undefined ? [] : Array.isArray(r.DependsOn) ? r.DependsOn : [r.DependsOn];
      for (const d of explicit)
        if (!(d in resources)) throw new TemplateError(`${id} DependsOn unknown resource "${d}"`);
      const refs = referencedResources(
        (r.Properties ?? {}) as Json,
        this.input.template,
        new Set(explicit),
      );
      refs.delete(id);
      this.deps.set(
        id,
        [...refs].filter((d) => this.isActive(d)),
      );
    }
    // Kahn's algorithm; among ready resources, template order (stable, readable plans).
    const position = new Map(active.map((id, i) => [id, i]));
    const remaining = new Map(active.map((id) => [id, this.deps.get(id)!.length]));
    const dependents = new Map<string, string[]>();
    for (const id of active)
      for (const d of this.deps.get(id)!) dependents.set(d, [...(dependents.get(d) ?? []), id]);
    const ready = active.filter((id) => remaining.get(id) === 0);
    const order: string[] = [];
    while (ready.length > 0) {
      ready.sort((a, b) => position.get(a)! - position.get(b)!);
      const id = ready.shift()!;
      order.push(id);
      for (const next of dependents.get(id) ?? []) {
        const left = remaining.get(next)! - 1;
        remaining.set(next, left);
        if (left === 0) ready.push(next);
      }
    }
    if (order.length < active.length) {
      const stuck = active.filter((id) => !order.includes(id));
      throw new TemplateError(`circular dependency between ${stuck.join(', ')}`);
    }
    return order;
  }

  isActive(logicalId: string): boolean {
    const cond = this.input.template.Resources[logicalId]?.Condition;
    return cond === undefined || this.conditions[cond] === true;
  }

  /**
   * A resolve context over `values`. Lenient: unknown values become
   * placeholders `<Id.Attr>` (for showing a plan); strict: they throw.
   */
  context(values: ValueTable, lenient: boolean): ResolveContext {
    const unknown = (id: string, attr: string): Json => {
      if (lenient) return `<${id}.${attr}>`;
      throw new UnknownValueError(id, attr);
    };
    return {
      pseudo: this.pseudo,
      template: this.input.template,
      parameters: this.parameters,
      // While the constructor evaluates the conditions, this.conditions is not set yet: start from none.
      conditions: this.conditions ?? {},
      ref: (id) => values.get(id)?.ref ?? unknown(id, 'Ref'),
      getAtt: (id, attr) => values.get(id)?.attrs[attr] ?? unknown(id, attr),
      ...(this.input.importValue ? { importValue: this.input.importValue } : {}),
    };
  }

  /** A resource's properties resolved against `values`, with Lambda code pointed at its asset directory. */
  resolveProperties(logicalId: string, values: ValueTable, lenient: boolean): Record<string, Json> {
    const r = this.input.template.Resources[logicalId]!;
    const resolved = resolveValue((r.Properties ?? {}) as Json, this.context(values, lenient));
    const props = (resolved ?? {}) as Record<string, Json>;
    // With an assets manifest (a cdk.out of its own), code comes from the bundle directories.
    if (r.Type === 'AWS::Lambda::Function' && this.input.assets)
      props.Code = this.localCode(logicalId, props.Code);
    return props;
  }

  /**
   * Lambda code as LocalStack's hot-reload convention states it:
   * { S3Bucket: 'hot-reload', S3Key: <absolute directory> }. The directory is
   * the asset whose S3 object key the template names (or the resource's
   * aws:asset:path metadata).
   */
  private localCode(logicalId: string, code: Json | undefined): Json {
    const c = (code ?? {}) as Record<string, Json>;
    if (typeof c.ZipFile === 'string' || c.S3Bucket === HOT_RELOAD_BUCKET) return c;
    const files = this.input.assets?.files ?? {};
    const key = typeof c.S3Key === 'string' ? c.S3Key : undefined;
    let path: string | undefined;
    if (key) {
      for (const [hash, asset] of Object.entries(files)) {
        const keys = Object.values(asset.destinations ?? {}).map((d) => d.objectKey);
        if (keys.includes(key) || key.replace(/\.zip$/, '') === hash) path = asset.source.path;
      }
    }
    const meta = this.input.template.Resources[logicalId]?.Metadata?.['aws:asset:path'];
    path ??= typeof meta === 'string' ? meta : undefined;
    if (!path) {
      throw new TemplateError(
        `${logicalId}: no local asset for its code ${JSON.stringify(code)}; run \`npx cdk synth\` so cdk.out holds the bundles`,
      );
    }
    return {
      S3Bucket: HOT_RELOAD_BUCKET,
      S3Key: isAbsolute(path) ? path : join(this.input.cdkOut, path),
    };
  }

  /** Physical name from the template as resolved so far. */
  physicalName(logicalId: string, props: Record<string, Json>): string {
    return physicalName(
      this.input.template.Resources[logicalId]!.Type,
      logicalId,
      props,
      this.place,
    );
  }

  /** Ref/GetAtt values as the name decides them (the executor replaces them with live ones). */
  predicted(logicalId: string, name: string, props: Record<string, Json>): ResourceValues {
    return predictedValues(this.input.template.Resources[logicalId]!.Type, name, props, this.place);
  }

  dependenciesOf(logicalId: string): string[] {
    const deps = new Set(this.deps.get(logicalId) ?? []);
    return this.order.filter((id) => deps.has(id));
  }

  /** Stack Outputs resolved against `values` (outputs whose Condition is false are left out). */
  resolveOutputs(values: ValueTable, lenient: boolean): Record<string, Json> {
    const out: Record<string, Json> = {};
    for (const [name, o] of Object.entries(this.input.template.Outputs ?? {})) {
      if (o.Condition !== undefined && this.conditions[o.Condition] !== true) continue;
      out[name] = resolveValue(o.Value, this.context(values, lenient));
    }
    return out;
  }

  /** The whole plan with predicted values. */
  plan(): DeployPlan {
    const values: ValueTable = new Map();
    const resources: PlannedResource[] = [];
    for (const id of this.order) {
      const type = this.input.template.Resources[id]!.Type;
      const properties = this.resolveProperties(id, values, true);
      const name = this.physicalName(id, properties);
      const predicted = this.predicted(id, name, properties);
      values.set(id, predicted);
      // A mapping's id is its UUID, which only the service assigns.
      const shown = predicted.ref === undefined ? '(assigned on create)' : name;
      resources.push({
        logicalId: id,
        type,
        handling: handlingOf(type),
        physicalName: shown,
        dependsOn: this.dependenciesOf(id),
        properties,
      });
    }
    const skipped = Object.entries(this.input.template.Resources)
      .filter(([id]) => !this.isActive(id))
      .map(([logicalId, r]) => ({ logicalId, type: r.Type, condition: r.Condition! }));
    return {
      stackName: this.input.stackName,
      place: this.place,
      resources,
      skipped,
      outputs: this.resolveOutputs(values, true),
    };
  }
}

/** Convenience: plan a template in one call. */
export function planDeployment(input: PlanInput): DeployPlan {
  return new Planner(input).plan();
}
