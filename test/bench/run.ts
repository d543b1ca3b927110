/**
 * `npm run bench`: runs every section in test/bench/sections/*.ts (each
 * exports `name` and `run(): Promise<BenchFigure[]>`) and prints a table.
 * `npm run bench -- core` runs only sections whose name contains "core".
 * Benchmarks are not part of `npm test`: tests never assert wall-clock time.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseCommandLine } from '../../tools/cli-kit/command-line';
import { EXIT, UsageError, type ExitCode } from '../../tools/cli-kit/errors';
import { isEntry, runMain } from '../../tools/cli-kit/run-main';
import { renderTable } from '../../tools/cli-kit/table';

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

export const SECTION_FILES = readdirSync(join(here, 'sections'))
  .filter((f) => f.endsWith('.ts'))
  .sort();
const sectionName = (file: string) => file.replace(/\.ts$/, '');

export const BENCH_USAGE = `usage: npm run bench [-- <section>...]

Runs the benchmarks and prints their figures with the goals they meet or miss
(docs/benchmarks.md). Not part of npm test. Sections (a name runs every
section containing it):
${SECTION_FILES.map((f) => `  ${sectionName(f)}`).join('\n')}

  -h, --help   this text

Exit codes: 0 done, 1 a benchmark failed, 2 a wrong command line.`;

export function parseBenchArgs(argv: string[]): { help: true } | { help: false; filter: string[] } {
  const parsed = parseCommandLine(
    { invocation: 'npm run bench --', options: {}, positionals: true },
    argv,
  );
  if (parsed.help) return { help: true };
  const unknown = parsed.positionals.filter(
    (f) => !SECTION_FILES.some((file) => sectionName(file).includes(f)),
  );
  if (unknown.length > 0)
    throw new UsageError(
      `no section matches ${unknown.map((u) => `"${u}"`).join(', ')}: sections are ${SECTION_FILES.map(sectionName).join(', ')}`,
    );
  return { help: false, filter: parsed.positionals };
}

function formatValue(v: number): string {
  return Math.abs(v) >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(2);
}

export async function main(argv: string[]): Promise<ExitCode> {
  const args = parseBenchArgs(argv);
  if (args.help) {
    process.stdout.write(`${BENCH_USAGE}\n`);
    return EXIT.ok;
  }
  const rows: Array<BenchFigure & { section: string }> = [];
  for (const file of SECTION_FILES) {
    if (args.filter.length > 0 && !args.filter.some((f) => sectionName(file).includes(f))) continue;
    const section = (await import(pathToFileURL(join(here, 'sections', file)).href)) as Section;
    process.stdout.write(`\n== ${section.name} ==\n`);
    const figures = await section.run();
    for (const f of figures) {
      rows.push({ ...f, section: section.name });
      const goal = f.goal ? `  (goal ${f.goal}: ${f.met ? 'met' : 'NOT met'})` : '';
      process.stdout.write(`  ${f.figure}: ${formatValue(f.value)} ${f.unit}${goal}\n`);
    }
  }
  process.stdout.write('\n');
  const table = renderTable(
    [
      { header: 'section' },
      { header: 'figure' },
      { header: 'value', right: true },
      { header: 'unit' },
      { header: 'goal' },
      { header: 'met' },
    ],
    rows.map((r) => [
      r.section,
      r.figure,
      formatValue(r.value),
      r.unit,
      r.goal ?? '',
      r.goal ? (r.met ? 'yes' : 'NO') : '',
    ]),
  );
  process.stdout.write(`${table}\n`);
  return EXIT.ok;
}

// Sections leave servers and clients behind; the figures are printed, so end.
if (isEntry(import.meta.url)) void runMain(main, { name: 'bench', exitWhenDone: true });
