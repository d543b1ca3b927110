/**
 * `npm run bench`: runs every section in test/bench/sections/*.ts (each
 * exports `name` and `run(): Promise<BenchFigure[]>`) and prints a table.
 * `npm run bench -- core` runs only sections whose name contains "core".
 * Benchmarks are not part of `npm test`: tests never assert wall-clock time.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { numberFlag, parseCommandLine } from '../../tools/cli-kit/command-line';
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

/** Flags a section may read (the scale simulation does). */
export interface BenchOptions {
  json?: boolean;
  shards?: number;
  seconds?: number;
}

interface Section {
  name: string;
  /** runs only when named on the command line (a long run) */
  onlyWhenNamed?: boolean;
  run(o: BenchOptions): Promise<BenchFigure[] | { figures: BenchFigure[]; json: unknown }>;
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

  --json          print the sections' JSON figures only (scale)
  --shards <n>    scale: shards simulated (default 1000, i.e. 1 M records/s)
  --seconds <s>   scale: seconds of traffic simulated (default 25)
  -h, --help      this text

Sections marked long (scale) run only when named.

Exit codes: 0 done, 1 a benchmark failed, 2 a wrong command line.`;

export function parseBenchArgs(
  argv: string[],
): { help: true } | { help: false; filter: string[]; options: BenchOptions } {
  const parsed = parseCommandLine(
    {
      invocation: 'npm run bench --',
      options: {
        json: { type: 'boolean' },
        shards: { type: 'string' },
        seconds: { type: 'string' },
      },
      positionals: true,
    },
    argv,
  );
  if (parsed.help) return { help: true };
  const { values: v } = parsed;
  const options: BenchOptions = {
    json: v.json === true,
    ...(v.shards !== undefined
      ? { shards: numberFlag('shards', v.shards, 1000, { int: true, min: 2, max: 100_000 }) }
      : {}),
    ...(v.seconds !== undefined
      ? { seconds: numberFlag('seconds', v.seconds, 30, { int: true, min: 5, max: 3600 }) }
      : {}),
  };
  const unknown = parsed.positionals.filter(
    (f) => !SECTION_FILES.some((file) => sectionName(file).includes(f)),
  );
  if (unknown.length > 0)
    throw new UsageError(
      `no section matches ${unknown.map((u) => `"${u}"`).join(', ')}: sections are ${SECTION_FILES.map(sectionName).join(', ')}`,
    );
  return { help: false, filter: parsed.positionals, options };
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
  const json: Record<string, unknown> = {};
  const say = (s: string) => void (args.options.json || process.stdout.write(s));
  for (const file of SECTION_FILES) {
    const named = args.filter.some((f) => sectionName(file).includes(f));
    if (args.filter.length > 0 && !named) continue;
    const section = (await import(pathToFileURL(join(here, 'sections', file)).href)) as Section;
    if (section.onlyWhenNamed && !named) continue;
    say(`\n== ${section.name} ==\n`);
    const out = await section.run(args.options);
    const figures = Array.isArray(out) ? out : out.figures;
    if (!Array.isArray(out)) json[section.name] = out.json;
    for (const f of figures) {
      rows.push({ ...f, section: section.name });
      const goal = f.goal ? `  (goal ${f.goal}: ${f.met ? 'met' : 'NOT met'})` : '';
      say(`  ${f.figure}: ${formatValue(f.value)} ${f.unit}${goal}\n`);
    }
  }
  if (args.options.json) {
    const only = Object.keys(json).length === 1 ? Object.values(json)[0] : json;
    process.stdout.write(`${JSON.stringify(only, null, 2)}\n`);
    return EXIT.ok;
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
