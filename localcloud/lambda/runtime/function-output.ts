/**
 * A worker's stdout and stderr, line by line: every line goes to the cloud
 * log with the function's name as its source; a raw stdout line in Embedded
 * Metric Format becomes metrics, as CloudWatch Logs does with Lambda output;
 * and, when the cloud has CloudWatch Logs, every line goes to the function's
 * log group and stream there.
 */
import type { Readable } from 'node:stream';
import type { CloudContext } from '../../contracts';
import { parseEmfLine } from './emf';

/** A console line's own time (Lambda's "2024-01-01T00:00:00.000Z\t…" prefix), else now. */
function lineTime(line: string): number {
  const t = /^(\d{4}-\d\d-\d\dT[\d:.]+Z)\t/.exec(line);
  return t ? Date.parse(t[1]!) : Date.now();
}

export function pipeFunctionOutput(
  ctx: CloudContext,
  name: string,
  stream: Readable,
  stdout: boolean,
  logTo?: { group: string; stream: string },
): void {
  const onLine = (line: string) => {
    if (line.length === 0) return;
    ctx.log(name, line);
    if (logTo) ctx.logs?.putLogLine(logTo.group, logTo.stream, line, lineTime(line));
    if (stdout) for (const d of parseEmfLine(line)) ctx.metrics.putMetric(d);
  };
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  });
  stream.on('end', () => {
    if (rest) onLine(rest);
  });
}

/** Lambda's REPORT line (a worker thread has no memory of its own to measure: the cloud's heap, capped at the function's size). */
export function reportLine(requestId: string, durationMs: number, memoryMb: number): string {
  const used = Math.min(memoryMb, Math.ceil(process.memoryUsage().heapUsed / 1024 / 1024));
  return `REPORT RequestId: ${requestId}\tDuration: ${durationMs.toFixed(2)} ms\tBilled Duration: ${Math.max(1, Math.ceil(durationMs))} ms\tMemory Size: ${memoryMb} MB\tMax Memory Used: ${used} MB`;
}
