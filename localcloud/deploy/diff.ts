/**
 * What changed between the properties last applied and the ones a template
 * now asks for. deploy:local compares against what it applied last (as
 * CloudFormation compares templates), not against the live resource, so a
 * redeploy leaves alone what the pipeline changed at run time (the scaler's
 * shard count and ParallelizationFactor) unless the template changed it.
 */
import type { Json } from './template';

/** JSON with object keys sorted, so key order never counts as a change. */
export function canonicalJson(value: Json | undefined): string {
  const sort = (v: Json | undefined): Json | undefined => {
    if (Array.isArray(v)) return v.map((x) => sort(x) ?? null);
    if (v && typeof v === 'object') {
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, sort(v[k]) ?? null]),
      );
    }
    return v;
  };
  return JSON.stringify(sort(value)) ?? 'undefined';
}

/** Top-level property names whose values differ (added, removed or changed), sorted. */
export function changedProperties(
  before: Record<string, Json>,
  after: Record<string, Json>,
): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => canonicalJson(before[k]) !== canonicalJson(after[k])).sort();
}
