/**
 * `.streamscale/local-cloud.json`: written by `npm run local` while it runs
 * (endpoint, pid), removed when it stops, so other commands (`npm start`,
 * deploy:local) can tell whether a local cloud is up and where.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface LocalCloudState {
  endpoint: string;
  pid: number;
  startedAt: string;
  speedup?: number;
}

export const DEFAULT_STATE_DIR = '.streamscale';
export const localCloudStatePath = (stateDir = DEFAULT_STATE_DIR) =>
  join(stateDir, 'local-cloud.json');

export function writeLocalCloudState(state: LocalCloudState, stateDir = DEFAULT_STATE_DIR): string {
  const path = localCloudStatePath(stateDir);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(state, null, 2)}\n`);
  return path;
}

/** Remove the state file, but only if it is ours (another cloud may have started since). */
export function clearLocalCloudState(pid: number, stateDir = DEFAULT_STATE_DIR): void {
  const state = readLocalCloudState(stateDir, false);
  if (state?.pid === pid) rmSync(localCloudStatePath(stateDir), { force: true });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The running local cloud's state; undefined if none is recorded or its process is gone (unless checkAlive is false). */
export function readLocalCloudState(
  stateDir = DEFAULT_STATE_DIR,
  checkAlive = true,
): LocalCloudState | undefined {
  try {
    const s = JSON.parse(readFileSync(localCloudStatePath(stateDir), 'utf8')) as LocalCloudState;
    if (typeof s.endpoint !== 'string' || typeof s.pid !== 'number') return undefined;
    return !checkAlive || alive(s.pid) ? s : undefined;
  } catch {
    return undefined;
  }
}
