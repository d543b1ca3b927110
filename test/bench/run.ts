/**
 * `npm run bench`: runs every section in test/bench/sections/*.ts (each
 * exports `name` and `run(): Promise<BenchFigure[]>`) and prints a table.
 * `npm run bench -- core` runs only sections whose name contains "core".
 * Benchmarks are not part of `npm test`: tests never assert wall-clock time.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface BenchFigure {
  figure: string;
  value: number;
  unit: string;
  goal?: string;
  met?: boolean;
}

interface Section {
  name: string;
  run(): Promise<BenchFigure[]>;
}

const here = dirname(fileURLToPath(import.meta.url));
const filter = process.argv.slice(2).filter((a) => !a.startsWith('-'));

async function main(): Promise<void> {
  const files = readdirSync(join(here, 'sections'))
    .filter((f) => f.endsWith('.ts'))
    .sort();
  const rows: Array<BenchFigure & { section: string }> = [];
  for (const file of files) {
    const section = (await import(pathToFileURL(join(here, 'sections', file)).href)) as Section;
    if (filter.length > 0 && !filter.some((f) => section.name.includes(f))) continue;
    process.stdout.write(`\n== ${section.name} ==\n`);
    const figures = await section.run();
    for (const f of figures) {
      rows.push({ ...f, section: section.name });
      const goal = f.goal ? `  (goal ${f.goal}: ${f.met ? 'met' : 'NOT met'})` : '';
      process.stdout.write(`  ${f.figure}: ${formatValue(f.value)} ${f.unit}${goal}\n`);
    }
  }
  process.stdout.write('\n');
  console.table(
    rows.map((r) => ({
      section: r.section,
      figure: r.figure,
      value: formatValue(r.value),
      unit: r.unit,
      goal: r.goal ?? '',
      met: r.goal ? (r.met ? 'yes' : 'NO') : '',
    })),
  );
}

function formatValue(v: number): string {
  return Math.abs(v) >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(2);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
