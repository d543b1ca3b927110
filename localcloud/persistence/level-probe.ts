/**
 * Opens an emulator's LevelDB store once before handing its path to the
 * emulator. kinesalite and dynalite open their store in the background and
 * report a failure (a store held by another process, a damaged one, the
 * native module missing) as an unhandled error, i.e. a crash with a stack
 * trace; probed first, it is one line (DataDirError) before anything starts.
 * Each store is opened with the LevelDB binding its emulator uses.
 */
import { createRequire } from 'node:module';
import { DataDirError, oneLine } from './data-dir';

const require = createRequire(import.meta.url);

interface Closable {
  close(cb?: (err?: Error) => void): unknown;
}

const OPENERS: Record<string, (path: string) => Promise<Closable>> = {
  // kinesalite 3: levelup over leveldown (an optional dependency of kinesalite)
  kinesis: (path) => {
    const leveldown = createRequire(require.resolve('kinesalite'))('leveldown') as (
      p: string,
    ) => Closable & { open(cb: (err?: Error) => void): void };
    const db = leveldown(path);
    return new Promise((resolve, reject) => db.open((err) => (err ? reject(err) : resolve(db))));
  },
  // dynalite 4: level (classic-level)
  dynamodb: async (path) => {
    const { Level } = createRequire(require.resolve('dynalite'))('level') as {
      Level: new (p: string) => Closable & { open(): Promise<void> };
    };
    const db = new Level(path);
    await db.open();
    return db;
  },
};

export async function probeLevelDb(path: string, store: 'kinesis' | 'dynamodb'): Promise<void> {
  let db: Closable;
  try {
    db = await OPENERS[store]!(path);
  } catch (err) {
    throw new DataDirError(`the ${store} store in ${path} cannot be opened: ${oneLine(err)}`);
  }
  await new Promise<void>((resolve) => {
    const done = db.close(() => resolve());
    if (done && typeof (done as Promise<void>).then === 'function')
      (done as Promise<void>).then(resolve, resolve);
  });
}
