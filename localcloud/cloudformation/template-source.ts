/**
 * A template as CloudFormation receives it: TemplateBody (JSON, or YAML
 * with the short-form tags !Ref, !Sub, !GetAtt, ...) or TemplateURL (an
 * object in this cloud's S3, addressed path style or virtual-host style, on
 * any S3 host name: `cdk deploy` names https://s3.<region>.amazonaws.com/…).
 */
import { parse, type CollectionTag, type ScalarTag } from 'yaml';
import type { ObjectReader } from '../contracts';
import type { CfnTemplate } from '../deploy/template';

export class TemplateSourceError extends Error {}

const FUNCTIONS = [
  'Base64',
  'Cidr',
  'FindInMap',
  'GetAZs',
  'ImportValue',
  'Join',
  'Select',
  'Split',
  'Sub',
  'Transform',
  'And',
  'Equals',
  'If',
  'Not',
  'Or',
  'Contains',
  'EachMemberEquals',
  'EachMemberIn',
  'RefAll',
  'ValueOf',
  'ValueOfAll',
  'ToJsonString',
  'Length',
];

function shortTags(): Array<ScalarTag | CollectionTag> {
  const tags: Array<ScalarTag | CollectionTag> = [];
  const wrap = (tag: string, key: string, split = false) => {
    tags.push({
      tag: `!${tag}`,
      resolve: (v: string) => ({ [key]: split ? v.split('.') : v }),
    } as ScalarTag);
    for (const collection of ['seq', 'map'] as const)
      tags.push({
        tag: `!${tag}`,
        collection,
        resolve: (v: { toJSON(): unknown }) => ({ [key]: v.toJSON() }),
      } as unknown as CollectionTag);
  };
  wrap('Ref', 'Ref');
  wrap('Condition', 'Condition');
  wrap('GetAtt', 'Fn::GetAtt', true);
  for (const f of FUNCTIONS) wrap(f, `Fn::${f}`);
  return tags;
}

export function parseTemplateBody(body: string): CfnTemplate {
  let parsed: unknown;
  const text = body.trim();
  try {
    parsed = text.startsWith('{')
      ? JSON.parse(text)
      : parse(text, { customTags: shortTags(), maxAliasCount: -1 });
  } catch (err) {
    throw new TemplateSourceError(
      `Template format error: ${(err as Error).message.split('\n')[0]}`,
    );
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new TemplateSourceError('Template format error: JSON not well-formed.');
  const t = parsed as CfnTemplate;
  if (!t.Resources || typeof t.Resources !== 'object' || Object.keys(t.Resources).length === 0)
    throw new TemplateSourceError(
      'Template format error: At least one Resources member must be defined.',
    );
  for (const [id, r] of Object.entries(t.Resources)) {
    if (!r || typeof r !== 'object' || typeof r.Type !== 'string')
      throw new TemplateSourceError(
        `Template format error: [/Resources/${id}] Every Resources object must contain a Type member.`,
      );
  }
  return t;
}

/** The bucket and key a TemplateURL names. */
export function s3Location(url: string): { bucket: string; key: string } | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  const path = decodeURIComponent(u.pathname.replace(/^\//, ''));
  const vhost = /^(.+?)\.s3[.-]/.exec(u.hostname);
  if (vhost) return path ? { bucket: vhost[1]!, key: path } : undefined;
  const slash = path.indexOf('/');
  return slash > 0 ? { bucket: path.slice(0, slash), key: path.slice(slash + 1) } : undefined;
}

export function readTemplateSource(
  input: { TemplateBody?: unknown; TemplateURL?: unknown },
  objects: ObjectReader | undefined,
): { body: string; template: CfnTemplate } {
  let body: string;
  if (typeof input.TemplateBody === 'string' && input.TemplateBody.length > 0)
    body = input.TemplateBody;
  else if (typeof input.TemplateURL === 'string' && input.TemplateURL.length > 0) {
    const where = s3Location(input.TemplateURL);
    const bytes = where && objects?.readObject(where.bucket, where.key);
    if (!bytes)
      throw new TemplateSourceError(
        `TemplateURL must be a supported URL: no object at ${input.TemplateURL} in this cloud's S3`,
      );
    body = bytes.toString('utf8');
  } else throw new TemplateSourceError('Either Template URL or Template Body must be specified.');
  return { body, template: parseTemplateBody(body) };
}
