/**
 * The demo hosts the embedded cloud in its own process, so a cloud part that
 * blocks the event loop would freeze the demo for good (Ctrl-C handlers are
 * JavaScript too). A worker thread watches a heartbeat the main thread writes
 * into shared memory; when it is older than `stallMs`, the worker prints one
 * line saying what happened and ends the process.
 */
import { Worker } from 'node:worker_threads';

// Plain script that runs as CommonJS or ESM alike (the worker inherits the loader flags).
const WORKER = `
Promise.all([import('node:worker_threads'), import('node:fs')]).then(([{ workerData }, fs]) => {
  const beat = new Float64Array(workerData.buffer);
  setInterval(() => {
    const age = Date.now() - beat[0];
    if (age < workerData.stallMs) return;
    try { if (workerData.cleanup) fs.rmSync(workerData.cleanup, { force: true }); } catch {}
    fs.writeSync(2, '\\n' + workerData.message.replace('{s}', Math.round(age / 1000)) + '\\n');
    process.kill(process.pid, 'SIGKILL');
  }, 1000);
});
`;

export interface Watchdog {
  stop(): void;
}

export function startStallWatchdog(o: {
  stallMs: number;
  message: string;
  cleanupFile?: string;
}): Watchdog {
  const buffer = new SharedArrayBuffer(8);
  const beat = new Float64Array(buffer);
  beat[0] = Date.now();
  const timer = setInterval(() => (beat[0] = Date.now()), 500);
  timer.unref();
  const worker = new Worker(WORKER, {
    eval: true,
    workerData: { buffer, stallMs: o.stallMs, message: o.message, cleanup: o.cleanupFile },
  });
  worker.unref();
  return {
    stop() {
      clearInterval(timer);
      void worker.terminate();
    },
  };
}
