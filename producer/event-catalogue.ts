/**
 * The fixed world the generator draws from: courses with different
 * popularity, activities with their typical CPU load, severities and crash
 * messages (mixed case on purpose: the crash-alert filter is
 * case-insensitive). Plain data, so tests and docs can refer to it.
 */
import type { Severity } from '../functions/core/event';

export interface Course {
  code: string;
  /** relative popularity (weight) */
  weight: number;
}

export const COURSES: readonly Course[] = [
  { code: 'CS-101', weight: 22 },
  { code: 'CS-201', weight: 16 },
  { code: 'CS-315', weight: 13 },
  { code: 'CS-340', weight: 11 },
  { code: 'CS-350', weight: 9 },
  { code: 'CS-410', weight: 8 },
  { code: 'CS-425', weight: 7 },
  { code: 'DS-220', weight: 6 },
  { code: 'SE-310', weight: 5 },
  { code: 'ML-450', weight: 3 },
];

export interface Activity {
  name: string;
  weight: number;
  /** typical CPU use (%) and its spread */
  cpuMean: number;
  cpuSpread: number;
  /** median lines of code touched (log-normal) */
  locMedian: number;
}

export const ACTIVITIES: readonly Activity[] = [
  { name: 'coding', weight: 30, cpuMean: 35, cpuSpread: 15, locMedian: 40 },
  { name: 'debugging', weight: 18, cpuMean: 55, cpuSpread: 20, locMedian: 15 },
  { name: 'testing', weight: 15, cpuMean: 70, cpuSpread: 15, locMedian: 25 },
  { name: 'compiling', weight: 10, cpuMean: 85, cpuSpread: 10, locMedian: 60 },
  { name: 'reading docs', weight: 12, cpuMean: 8, cpuSpread: 5, locMedian: 2 },
  { name: 'code review', weight: 8, cpuMean: 12, cpuSpread: 6, locMedian: 30 },
  { name: 'refactoring', weight: 7, cpuMean: 30, cpuSpread: 12, locMedian: 80 },
];

/** Severity weights for ordinary events: mostly Low/Medium. */
export const SEVERITY_WEIGHTS: ReadonlyArray<{ value: Severity; weight: number }> = [
  { value: 'Low', weight: 55 },
  { value: 'Medium', weight: 30 },
  { value: 'High', weight: 11 },
  { value: 'Critical', weight: 4 },
];

/** Crash messages: every one contains "crash" in some case. */
export const CRASH_MESSAGES: readonly string[] = [
  'Segmentation fault: app CRASH in parser',
  'crash',
  'Crashed',
  'Process crashed with exit code 139',
  'IDE CRASHED while indexing',
  'kernel panic: crash dump written',
  'Test runner crash: out of memory',
  'unexpected Crash in debugger session',
];

/** Ordinary log lines (none contains "crash"). */
export const NORMAL_MESSAGES: readonly string[] = [
  'Build succeeded',
  'All tests passed',
  '3 tests failed',
  'Compiled with warnings',
  'Opened documentation page',
  'Breakpoint hit in main',
  'Linting finished',
  'Saved file',
  'Commit created',
  'Dependency installed',
];
