/**
 * A kinesalite store left by a cloud that stopped mid-transition. kinesalite
 * moves a stream through CREATING, UPDATING (each SplitShard or MergeShards)
 * and DELETING with a timer in its own process; a stop or a kill before the
 * timer fires leaves the state on disk for good — a stream UPDATING forever
 * refuses every reshard and PutRecords goes on into a shard map nobody can
 * change. Each step is applied in one write when its timer fires, so what
 * the store holds is consistent: the split or merge simply did not happen.
 * So before kinesalite opens the store: CREATING and UPDATING streams become
 * ACTIVE as they are (no record touched; the edge's UpdateShardCount resumes
 * its remaining steps, kinesis-persistence.ts), and a DELETING stream —
 * whose records kinesalite removed before it answered — is removed.
 */
import { createRequire } from 'node:module';
import { DataDirError, oneLine } from '../persistence/data-dir';

const require = createRequire(import.meta.url);

interface StreamMeta {
  StreamStatus?: string;
}

interface SubLevel {
  put(key: string, value: unknown, cb: (err?: Error) => void): void;
  del(key: string, cb: (err?: Error) => void): void;
  createReadStream(): NodeJS.ReadableStream;
}

interface LevelUp {
  close(cb: (err?: Error) => void): void;
}

/** kinesalite's own LevelDB modules, so keys and values are encoded as it encodes them. */
function kinesaliteLevel(path: string): { db: LevelUp; meta: SubLevel } {
  const fromKinesalite = createRequire(require.resolve('kinesalite'));
  const levelup = fromKinesalite('levelup') as (down: unknown) => LevelUp;
  const leveldown = fromKinesalite('leveldown') as (p: string) => unknown;
  const sub = fromKinesalite('subleveldown') as (
    db: LevelUp,
    prefix: string,
    o: object,
  ) => SubLevel;
  const db = levelup(leveldown(path));
  return { db, meta: sub(db, 'meta', { valueEncoding: 'json' }) };
}

function readAll(meta: SubLevel): Promise<Array<{ key: string; value: StreamMeta }>> {
  return new Promise((resolve, reject) => {
    const out: Array<{ key: string; value: StreamMeta }> = [];
    meta
      .createReadStream()
      .on('data', (e: { key: string; value: StreamMeta }) => out.push(e))
      .on('error', reject)
      .on('end', () => resolve(out));
  });
}

const call = (f: (cb: (err?: Error) => void) => void) =>
  new Promise<void>((resolve, reject) => f((err) => (err ? reject(err) : resolve())));

/** Ends the transitions a stop cut short; returns one line per stream it changed. */
export async function repairKinesisStore(path: string): Promise<string[]> {
  const { db, meta } = kinesaliteLevel(path);
  const changed: string[] = [];
  try {
    for (const { key, value } of await readAll(meta)) {
      const status = value.StreamStatus;
      if (status === 'CREATING' || status === 'UPDATING') {
        await call((cb) => meta.put(key, { ...value, StreamStatus: 'ACTIVE' }, cb));
        changed.push(`stream ${key} was ${status} when the cloud stopped: ACTIVE again`);
      } else if (status === 'DELETING') {
        await call((cb) => meta.del(key, cb));
        changed.push(`stream ${key} was DELETING when the cloud stopped: deleted`);
      }
    }
  } catch (err) {
    throw new DataDirError(`the kinesis store in ${path} cannot be read: ${oneLine(err)}`);
  } finally {
    await call((cb) => db.close(cb)).catch(() => undefined);
  }
  return changed;
}
