/* global process, console, performance */
// One Lambda execution environment, run in a worker thread (plain JavaScript
// so it loads the same under tsx, vitest and plain node). Init: import the
// handler module from LAMBDA_TASK_ROOT as Lambda's Node.js runtime does
// (index.handler -> index.mjs | index.js | index.cjs); then answer one
// invocation at a time. console.* gets Lambda's "time\trequestId\tLEVEL\t"
// prefix; raw process.stdout writes (Powertools Metrics' EMF) stay raw.
// Before the handler loads, the runtime provides what AWS's Node.js runtime
// provides (the AWS SDK v3) and sends requests for AWS's public endpoints to
// the local cloud's edge.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';
import { parentPort, workerData } from 'node:worker_threads';
import { redirectAwsEndpoints } from './aws-endpoint-redirect.mjs';
import { installedSdkPackages, provideSdk } from './sdk-provider.mjs';

const { taskRoot, handler: handlerSpec, edge } = workerData;
provideSdk(import.meta.url, installedSdkPackages(import.meta.url));
if (edge) redirectAwsEndpoints(edge);
let current; // { requestId, tail: string[] }
const TAIL_MAX = 4096;

for (const [method, level] of [
  ['log', 'INFO'],
  ['info', 'INFO'],
  ['warn', 'WARN'],
  ['error', 'ERROR'],
  ['debug', 'DEBUG'],
  ['trace', 'TRACE'],
]) {
  console[method] = (...args) => {
    const line = `${new Date().toISOString()}\t${current ? current.requestId : 'undefined'}\t${level}\t${format(...args)}`;
    process.stdout.write(line + '\n');
    if (current) current.tail.push(line);
  };
}

function errorShape(err) {
  if (err instanceof Error) {
    return {
      errorType: err.name || 'Error',
      errorMessage: err.message,
      trace: String(err.stack || '').split('\n'),
    };
  }
  return {
    errorType: typeof err,
    errorMessage: typeof err === 'string' ? err : (JSON.stringify(err) ?? String(err)),
    trace: [],
  };
}

async function loadHandler() {
  const dot = handlerSpec.lastIndexOf('.');
  if (dot <= 0)
    throw Object.assign(new Error(`Bad handler ${handlerSpec}: expected <file>.<function>`), {
      name: 'Runtime.MalformedHandlerName',
    });
  const modulePath = handlerSpec.slice(0, dot);
  const fnName = handlerSpec.slice(dot + 1);
  const file = ['.mjs', '.js', '.cjs']
    .map((ext) => join(taskRoot, modulePath + ext))
    .find((f) => existsSync(f));
  if (!file) {
    throw Object.assign(
      new Error(`Cannot find module '${modulePath}' in ${taskRoot} (looked for .mjs, .js, .cjs)`),
      { name: 'Runtime.ImportModuleError' },
    );
  }
  const mod = await import(pathToFileURL(file).href);
  const fn = mod[fnName] ?? mod.default?.[fnName];
  if (typeof fn !== 'function') {
    throw Object.assign(new Error(`${modulePath}.${fnName} is undefined or not exported`), {
      name: 'Runtime.HandlerNotFound',
    });
  }
  return fn;
}

function callHandler(fn, event, context) {
  if (fn.length >= 3) {
    return new Promise((resolve, reject) => {
      const r = fn(event, context, (err, value) => (err ? reject(err) : resolve(value)));
      if (r && typeof r.then === 'function') r.then(resolve, reject);
    });
  }
  return Promise.resolve().then(() => fn(event, context));
}

let handlerFn;
try {
  handlerFn = await loadHandler();
  parentPort.postMessage({ type: 'ready' });
} catch (err) {
  parentPort.postMessage({ type: 'init-error', error: errorShape(err) });
}

parentPort.on('message', async (msg) => {
  if (msg.type !== 'invoke') return;
  const c = msg.context;
  current = { requestId: c.awsRequestId, tail: [] };
  const context = {
    ...c,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, c.deadlineMs - Date.now()),
  };
  // Absolute clock, comparable across threads: handler start latency for the bench.
  const startedAt = performance.timeOrigin + performance.now();
  let out;
  try {
    const result = await callHandler(handlerFn, msg.event, context);
    out = {
      type: 'result',
      id: msg.id,
      ok: true,
      payload: JSON.stringify(result === undefined ? null : result),
    };
  } catch (err) {
    out = { type: 'result', id: msg.id, ok: false, error: errorShape(err) };
  }
  const tail = current.tail.join('\n');
  current = undefined;
  out.startedAt = startedAt;
  out.tail = tail.length > TAIL_MAX ? tail.slice(-TAIL_MAX) : tail;
  parentPort.postMessage(out);
});
