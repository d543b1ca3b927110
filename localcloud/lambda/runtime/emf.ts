/**
 * Embedded Metric Format (EMF): a function's stdout line that is a JSON
 * object with `_aws.CloudWatchMetrics` becomes metrics, as CloudWatch Logs
 * extracts them on AWS. Only a line that is the JSON object alone counts —
 * a console.log line with Lambda's "time\trequestId\tINFO\t" prefix is not
 * extracted on AWS either (Powertools Metrics writes raw JSON for that reason).
 */
import type { MetricDatum } from '../../contracts';

interface EmfDirective {
  Namespace?: unknown;
  Dimensions?: unknown;
  Metrics?: unknown;
}

/** The metrics in one stdout line, or [] when the line is not EMF. */
export function parseEmfLine(line: string, now = new Date()): MetricDatum[] {
  const text = line.trim();
  if (!text.startsWith('{') || !text.includes('"_aws"')) return [];
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return [];
  }
  const aws = doc._aws as { Timestamp?: unknown; CloudWatchMetrics?: unknown } | undefined;
  if (!aws || !Array.isArray(aws.CloudWatchMetrics)) return [];
  const timestamp = typeof aws.Timestamp === 'number' ? new Date(aws.Timestamp) : now;
  const out: MetricDatum[] = [];
  for (const directive of aws.CloudWatchMetrics as EmfDirective[]) {
    if (typeof directive?.Namespace !== 'string' || !Array.isArray(directive.Metrics)) continue;
    const dimensionSets =
      Array.isArray(directive.Dimensions) && directive.Dimensions.length > 0
        ? (directive.Dimensions as unknown[])
        : [[]];
    for (const metric of directive.Metrics as Array<{ Name?: unknown; Unit?: unknown }>) {
      if (typeof metric?.Name !== 'string') continue;
      const raw = doc[metric.Name];
      const values = (Array.isArray(raw) ? raw : [raw]).filter(
        (v): v is number => typeof v === 'number' && Number.isFinite(v),
      );
      for (const set of dimensionSets) {
        if (!Array.isArray(set)) continue;
        const dimensions: Record<string, string> = {};
        let complete = true;
        for (const key of set) {
          const v = typeof key === 'string' ? doc[key] : undefined;
          if (v === undefined || v === null) complete = false;
          else dimensions[key as string] = String(v);
        }
        // CloudWatch drops a dimension set whose values are missing from the document.
        if (!complete) continue;
        for (const value of values) {
          out.push({
            namespace: directive.Namespace,
            name: metric.Name,
            dimensions,
            value,
            ...(typeof metric.Unit === 'string' ? { unit: metric.Unit } : {}),
            timestamp,
          });
        }
      }
    }
  }
  return out;
}
