/**
 * Every template is checked before anything is created (pure): what the
 * embedded cloud cannot run is refused up front with one line naming the
 * resource and the reason (a Lambda runtime AWS no longer lets anyone
 * create, a non-Node.js runtime, a container-image function, an event
 * source kind it has no poller for); what it does not emulate is a named
 * warning (`strict` turns those into errors too), so a deploy never stops
 * halfway over something it could have known at the start.
 */
import { handlingOf } from './resource-types';
import type { CfnTemplate, Json } from './template';

export interface TemplateCheck {
  errors: string[];
  warnings: string[];
}

/**
 * Runtimes AWS blocks creating functions with (Lambda's deprecation table:
 * creation blocked for these as of 2026), and the one it recommends instead.
 */
export const BLOCKED_RUNTIMES = new Set([
  'nodejs',
  'nodejs4.3',
  'nodejs4.3-edge',
  'nodejs6.10',
  'nodejs8.10',
  'nodejs10.x',
  'nodejs12.x',
  'nodejs14.x',
  'nodejs16.x',
  'nodejs18.x',
]);
export const RECOMMENDED_RUNTIME = 'nodejs24.x';

/** AWS's own words when a blocked runtime is used to create a function. */
export function blockedRuntimeMessage(runtime: string): string {
  return (
    `The runtime parameter of ${runtime} is no longer supported for creating or updating AWS Lambda functions. ` +
    `We recommend you use the new runtime (${RECOMMENDED_RUNTIME}) while creating or updating functions.`
  );
}

/** Metadata only: nothing to emulate, nothing to warn about. */
const QUIET_TYPES = new Set(['AWS::CDK::Metadata']);

type Obj = Record<string, Json>;
const isObj = (v: Json | undefined): v is Obj =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function checkFunction(id: string, p: Obj, out: TemplateCheck): void {
  const where = `${id} (AWS::Lambda::Function)`;
  const code = isObj(p.Code) ? p.Code : {};
  if (p.PackageType === 'Image' || code.ImageUri !== undefined) {
    out.errors.push(
      `${where}: container-image functions (PackageType Image / Code.ImageUri) are not supported; use a .zip function`,
    );
    return;
  }
  const runtime = p.Runtime;
  if (typeof runtime === 'string') {
    if (BLOCKED_RUNTIMES.has(runtime))
      out.errors.push(`${where}: ${blockedRuntimeMessage(runtime)}`);
    else if (!runtime.startsWith('nodejs'))
      out.errors.push(
        `${where}: runtime ${runtime} is not supported by the embedded cloud, which runs Node.js functions only`,
      );
  } else if (runtime === undefined)
    out.errors.push(`${where}: Runtime is required for a .zip function`);
  for (const accepted of [
    'Layers',
    'FileSystemConfigs',
    'VpcConfig',
    'SnapStart',
    'CodeSigningConfigArn',
  ])
    if (p[accepted] !== undefined)
      out.warnings.push(`${where}: ${accepted} is accepted, not emulated`);
}

function checkMapping(id: string, p: Obj, out: TemplateCheck): void {
  const source = typeof p.EventSourceArn === 'string' ? p.EventSourceArn : '';
  const kind = /^arn:[\w-]+:(\w+):/.exec(source)?.[1];
  if (
    p.SelfManagedEventSource !== undefined ||
    (kind && !['kinesis', 'dynamodb', 'sqs'].includes(kind))
  )
    out.errors.push(
      `${id} (AWS::Lambda::EventSourceMapping): event source ${kind ?? 'self-managed'} is not supported (Kinesis, DynamoDB Streams and SQS are)`,
    );
}

/** Check a template before anything is created. `strict`: what is not emulated is an error too. */
export function checkTemplate(template: CfnTemplate, strict = false): TemplateCheck {
  const out: TemplateCheck = { errors: [], warnings: [] };
  const notEmulated = new Map<string, string[]>();
  for (const [id, r] of Object.entries(template.Resources ?? {})) {
    const p = (isObj(r.Properties as Json) ? r.Properties : {}) as Obj;
    if (r.Type === 'AWS::Lambda::Function') checkFunction(id, p, out);
    if (r.Type === 'AWS::Lambda::EventSourceMapping') checkMapping(id, p, out);
    if (handlingOf(r.Type) === 'unsupported' && !QUIET_TYPES.has(r.Type))
      notEmulated.set(r.Type, [...(notEmulated.get(r.Type) ?? []), id]);
  }
  for (const [type, ids] of notEmulated) {
    const line = `${type} is not emulated: ${ids.join(', ')} ${ids.length > 1 ? 'are' : 'is'} recorded, nothing runs`;
    (strict ? out.errors : out.warnings).push(line);
  }
  return out;
}
