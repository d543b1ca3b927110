/* global URL */
// An emulator's worker thread starts here (plain JavaScript, so it loads the
// same under tsx, vitest and plain node). A worker inherits the parent's
// loader flags: under tsx (npm run local, npm start, bench) the TypeScript
// entry loads as it is; where the parent has no TypeScript loader (vitest
// transforms in process, which a worker does not share), tsx is registered
// for this thread first.
const entry = new URL('./emulator-worker.ts', import.meta.url).href;

try {
  await import(entry);
} catch (err) {
  if (err?.code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw err;
  const { register } = await import('tsx/esm/api');
  register();
  // A failed import stays failed for its URL: the entry is imported again under another.
  await import(`${entry}?loader=tsx`);
}
