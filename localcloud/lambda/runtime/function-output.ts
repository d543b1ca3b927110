/**
 * A worker's stdout and stderr, line by line: every line goes to the cloud
 * log with the function's name as its source; a raw stdout line in Embedded
 * Metric Format becomes metrics, as CloudWatch Logs does with Lambda output.
 */
import type { Readable } from 'node:stream';
import type { CloudContext } from '../../contracts';
import { parseEmfLine } from './emf';

export function pipeFunctionOutput(
  ctx: CloudContext,
  name: string,
  stream: Readable,
  stdout: boolean,
): void {
  const onLine = (line: string) => {
    if (line.length === 0) return;
    ctx.log(name, line);
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
