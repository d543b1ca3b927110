/**
 * An execution environment starts without the TypeScript loader the cloud
 * may run under (functions are JavaScript; the loader only slows a cold
 * start), and with every other flag the cloud has.
 */
import { expect, it } from 'vitest';
import { workerExecArgv } from '../../../../../localcloud/lambda/runtime/worker-environment';

it('drops tsx as npm run local and the tsx CLI load it, in both flag forms', () => {
  expect(workerExecArgv(['--import', 'tsx', '--enable-source-maps'])).toEqual([
    '--enable-source-maps',
  ]);
  expect(
    workerExecArgv([
      '--require',
      '/w/node_modules/tsx/dist/preflight.cjs',
      '--import',
      'file:///w/node_modules/tsx/dist/loader.mjs',
    ]),
  ).toEqual([]);
  expect(workerExecArgv(['--import=tsx', '--conditions=node'])).toEqual(['--conditions=node']);
});

it('keeps other preloads and flags as they are', () => {
  const argv = ['--require', '/w/otel.cjs', '--import=./hooks.mjs', '--max-old-space-size=512'];
  expect(workerExecArgv(argv)).toEqual(argv);
});
