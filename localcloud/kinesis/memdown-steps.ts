/**
 * kinesalite keeps records in memdown, whose iterator answers each step
 * after a setImmediate: a GetRecords of N records takes N turns of the event
 * loop, and each turn may carry other requests' work. Under a storm of
 * refused PutRecords a 1,300-record read took 7 s (throttle-storm bench).
 * The same step logic, continued with process.nextTick and yielding to I/O
 * every STEPS_PER_YIELD steps, reads a page in one or a few turns while a
 * long scan still lets other requests through. Installed over memdown's
 * exported MemIterator (once per process).
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** Steps continued without yielding to I/O; then one setImmediate. */
const STEPS_PER_YIELD = 256;

interface TreeIterator {
  valid: boolean;
  key: unknown;
  value: unknown;
  [step: string]: unknown;
}

interface MemIteratorLike {
  _done: number;
  _limit: number;
  _tree: TreeIterator;
  _incr: string;
  keyAsBuffer: boolean;
  valueAsBuffer: boolean;
  _test(key: unknown): boolean;
}

type Callback = (err?: null, key?: unknown, value?: unknown) => void;

let steps = 0;
function soon(fn: () => void): void {
  if (++steps % STEPS_PER_YIELD === 0) setImmediate(fn);
  else process.nextTick(fn);
}

/** memdown 5's MemIterator.prototype._next, scheduled by soon() instead of setImmediate. */
function next(this: MemIteratorLike, callback: Callback): void {
  if (this._done++ >= this._limit || !this._tree.valid) return soon(() => callback());
  let key = this._tree.key;
  let value = this._tree.value;
  if (!this._test(key)) return soon(() => callback());
  if (!this.keyAsBuffer) key = String(key);
  if (!this.valueAsBuffer) value = String(value);
  (this._tree[this._incr] as () => void).call(this._tree);
  soon(() => callback(null, key, value));
}

export function installMemdownSteps(): void {
  const memdown = require(
    require.resolve('memdown', { paths: [require.resolve('kinesalite')] }),
  ) as {
    MemIterator?: { prototype: { _next: unknown; __streamscaleSteps?: boolean } };
  };
  const proto = memdown.MemIterator?.prototype;
  if (!proto || proto.__streamscaleSteps) return;
  proto._next = next;
  proto.__streamscaleSteps = true;
}
