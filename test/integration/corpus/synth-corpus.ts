/**
 * Synthesizes every corpus app in this one process (aws-cdk-lib loads once):
 * `tsx test/integration/corpus/synth-corpus.ts <outdir>` writes one cloud
 * assembly per app to <outdir>/<app name>.
 */
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { CORPUS } from './apps/index';

const outdir = process.argv[2];
if (!outdir) {
  process.stderr.write('usage: synth-corpus.ts <outdir>\n');
  process.exit(2);
}
for (const corpusApp of CORPUS) {
  const app = new App({ outdir: join(outdir, corpusApp.name) });
  corpusApp.build(app);
  app.synth();
}
