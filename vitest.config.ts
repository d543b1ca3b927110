import { relative } from 'node:path';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Longest first, across the three lanes: on two workers the suite's wall
 * time is set by the files that wait on the clock (a deployed stack under
 * load runs for a minute whatever the machine), so they must start first,
 * not last. Durations come from vitest's cache of the previous run; a fresh
 * clone has none, so the lanes give the estimate: the deployed-stack tests
 * (e2e, integration/pipeline) first, then integration, then unit.
 */
const FRESH_ESTIMATE_MS: Array<[RegExp, number]> = [
  [/^test\/(e2e|integration\/pipeline)\//, 60_000],
  [/^test\/integration\//, 5_000],
];
const DEFAULT_ESTIMATE_MS = 1_000;

export class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const root = this.ctx.config.root;
    const weight = (f: TestSpecification): number => {
      const path = relative(root, f.moduleId).split('\\').join('/');
      const known = this.ctx.cache.getFileTestResults(`${f.project.name}:${path}`);
      if (known) return known.failed ? Infinity : known.duration;
      return FRESH_ESTIMATE_MS.find(([re]) => re.test(path))?.[1] ?? DEFAULT_ESTIMATE_MS;
    };
    const weights = new Map(files.map((f) => [f, weight(f)]));
    return [...files].sort((a, b) => weights.get(b)! - weights.get(a)!);
  }
}

/**
 * Three lanes, by folder (docs/testing.md):
 * - unit: pure code, no listener (test/support/no-listener.ts fails a test
 *   that opens one), no child process; `npm run test:unit`, seconds.
 * - integration: real emulators and the embedded cloud on free loopback
 *   ports, CLIs run as processes, the real `cdk synth` (cached per content,
 *   test/support/synth-cache.ts).
 * - e2e: the deployed stack under load, and the dashboard in a browser.
 * `npm test` runs all three. Two cores only, so files run in a small fork
 * pool; timeouts are generous and never asserted.
 */
export default defineConfig({
  test: {
    pool: 'forks',
    maxWorkers: 2,
    // Bounds for a hung test, not expectations: a CDK synth or a cloud start on a busy machine
    // takes a good part of a minute.
    testTimeout: 120_000,
    hookTimeout: 180_000,
    reporters: ['default'],
    sequence: { sequencer: LongestFirstSequencer },
    env: {
      // The AWS SDK's documented switch for its notice that releases after January 2027 need
      // Node.js 22 (README, "Node.js versions"); a test run is no place to repeat it per file.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          setupFiles: ['test/support/no-listener.ts'],
          // Pure tests share a worker's loaded modules (aws-cdk-lib alone costs seconds per file).
          isolate: false,
        },
      },
      {
        extends: true,
        test: { name: 'integration', include: ['test/integration/**/*.test.ts'] },
      },
      {
        extends: true,
        test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'] },
      },
    ],
  },
});
