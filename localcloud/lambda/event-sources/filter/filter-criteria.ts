/**
 * A mapping's FilterCriteria: up to five patterns (AWS's default quota), a
 * record passes when any of them matches (OR). Stored as given (the API
 * returns the Pattern strings unchanged) with their compiled form.
 */
import { compilePattern, FilterPatternError, type CompiledPattern } from './filter-pattern';

/** AWS's default number of filters per event source mapping. */
export const MAX_FILTERS = 5;

export interface FilterCriteriaInput {
  Filters?: Array<{ Pattern?: unknown }> | null;
}

export interface FilterCriteria {
  /** the Pattern strings as given */
  patterns: string[];
  compiled: CompiledPattern[];
}

/** undefined: no filtering (absent, or an empty Filters list, which clears it). */
export function parseFilterCriteria(
  input: FilterCriteriaInput | null | undefined,
): FilterCriteria | undefined {
  const filters = input?.Filters ?? [];
  if (!Array.isArray(filters))
    throw new FilterPatternError('FilterCriteria.Filters must be a list');
  if (filters.length === 0) return undefined;
  if (filters.length > MAX_FILTERS)
    throw new FilterPatternError(
      `FilterCriteria has ${filters.length} filters; at most ${MAX_FILTERS} are allowed`,
    );
  const patterns = filters.map((f, i) => {
    if (typeof f?.Pattern !== 'string')
      throw new FilterPatternError(`FilterCriteria.Filters[${i}].Pattern must be a string`);
    return f.Pattern;
  });
  const compiled = patterns.map((p, i) => {
    try {
      return compilePattern(p);
    } catch (err) {
      if (err instanceof FilterPatternError)
        throw new FilterPatternError(`Filters[${i}]: ${err.message}`);
      throw err;
    }
  });
  return { patterns, compiled };
}

/** The FilterCriteria object the Lambda API returns. */
export function filterCriteriaView(c: FilterCriteria): { Filters: Array<{ Pattern: string }> } {
  return { Filters: c.patterns.map((Pattern) => ({ Pattern })) };
}

/** True when the record passes (no criteria: everything passes). */
export function passesFilter(c: FilterCriteria | undefined, view: unknown): boolean {
  return !c || c.compiled.some((m) => m(view));
}

/** A JSON text's value, or undefined when it is not JSON. */
export function parseJsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
