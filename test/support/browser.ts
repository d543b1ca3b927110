/**
 * A headless Chromium for browser tests, with no apt step: the default is
 * the one the `@sparticuz/chromium` package ships inside itself (installed by
 * `npm install`), unpacked once into node_modules/.cache; a system Chromium
 * (/usr/bin/chromium, or CHROMIUM_PATH) is the fallback. When none starts,
 * the error is one line naming what was tried and why each failed: a browser
 * test never skips silently.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

/**
 * The flags that let Chromium start on a machine with no network but the
 * loopback: without the background-networking ones it keeps trying Google's
 * hosts. Playwright adds --headless and the fresh --user-data-dir itself.
 */
export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export const SYSTEM_CHROMIUM = '/usr/bin/chromium';
const CACHE_DIR = join(process.cwd(), 'node_modules', '.cache', 'streamscale-chromium');

export interface LaunchedBrowser {
  context: BrowserContext;
  /** which candidate started, e.g. "@sparticuz/chromium 147.0.0" */
  source: string;
  close(): Promise<void>;
}

export interface Candidate {
  source: string;
  executable(): Promise<string>;
}

/**
 * The package's binary, unpacked into a folder of our own and renamed into
 * place when complete: the package's default (/tmp/chromium) is shared by
 * every version and user on the machine, and a half-written file there would
 * be taken for a browser.
 */
async function packagedChromium(): Promise<string> {
  const pkg = (await import('@sparticuz/chromium')).default;
  // build/cjs/index.cjs -> the package root (its exports do not list package.json)
  const root = dirname(
    dirname(dirname(createRequire(import.meta.url).resolve('@sparticuz/chromium'))),
  );
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    version: string;
  };
  const dir = join(CACHE_DIR, version);
  const binary = join(dir, 'chromium');
  if (existsSync(binary)) return binary;
  mkdirSync(CACHE_DIR, { recursive: true });
  const partial = mkdtempSync(join(CACHE_DIR, `${version}.partial-`));
  const previousTmp = process.env.TMPDIR;
  // The package unpacks into os.tmpdir() and returns an existing tmpdir()/chromium as is.
  process.env.TMPDIR = partial;
  try {
    await pkg.executablePath();
  } finally {
    if (previousTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previousTmp;
  }
  try {
    renameSync(partial, dir);
  } catch (err) {
    // Another run finished first: its copy is complete, ours is not needed.
    rmSync(partial, { recursive: true, force: true });
    if (!existsSync(binary)) throw err;
  }
  return binary;
}

/** In order: CHROMIUM_PATH if set, the package's binary, the system's. */
export function defaultCandidates(env: NodeJS.ProcessEnv = process.env): Candidate[] {
  const list: Candidate[] = [];
  if (env.CHROMIUM_PATH) {
    const path = env.CHROMIUM_PATH;
    list.push({ source: `CHROMIUM_PATH=${path}`, executable: async () => path });
  }
  list.push({ source: '@sparticuz/chromium', executable: packagedChromium });
  list.push({
    source: SYSTEM_CHROMIUM,
    executable: async () => {
      if (!existsSync(SYSTEM_CHROMIUM)) throw new Error('not installed');
      return SYSTEM_CHROMIUM;
    },
  });
  return list;
}

const firstLine = (err: unknown) =>
  (err instanceof Error ? err.message : String(err)).split('\n')[0]!.trim();

export interface LaunchOptions {
  viewport?: { width: number; height: number };
  candidates?: Candidate[];
  /**
   * The locale the browser process runs under (LC_ALL), e.g. "C", under
   * which Chromium reports navigator.language "en-US@posix" — a tag Intl
   * rejects. Unset: the machine's.
   */
  systemLocale?: string;
}

/** Starts the first browser that works, with a new empty profile; throws one line if none does. */
export async function launchChromium(opts: LaunchOptions = {}): Promise<LaunchedBrowser> {
  const failures: string[] = [];
  for (const c of opts.candidates ?? defaultCandidates()) {
    const profile = mkdtempSync(join(tmpdir(), 'streamscale-chromium-profile-'));
    try {
      const executablePath = await c.executable();
      // launchPersistentContext is Playwright's way to give Chromium its --user-data-dir.
      const context = await chromium.launchPersistentContext(profile, {
        executablePath,
        headless: true,
        viewport: opts.viewport ?? null,
        ...(opts.systemLocale ? { env: { ...process.env, LC_ALL: opts.systemLocale } } : {}),
        args: CHROMIUM_FLAGS,
      });
      return {
        context,
        source: `${c.source} ${context.browser()?.version() ?? ''}`.trim(),
        async close() {
          await context.close();
          rmSync(profile, { recursive: true, force: true });
        },
      };
    } catch (err) {
      rmSync(profile, { recursive: true, force: true });
      failures.push(`${c.source}: ${firstLine(err)}`);
    }
  }
  throw new Error(`no browser could start (${failures.join('; ')})`);
}
