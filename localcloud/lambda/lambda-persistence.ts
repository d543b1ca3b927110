/**
 * Lambda on a data dir: two parts. Functions are their definitions plus,
 * for zipped code (ZipFile or an S3 asset), the zip kept by content hash in
 * the data dir's lambda-code/ and unpacked again on restore (a hot-reload
 * directory is mounted again from its path). Event source mappings are
 * their definitions plus each stream runner's shard progress; between
 * snapshots the runners journal every batch cut and done, so after a kill
 * the batches in flight run again exactly as they were cut and the records
 * done past the checkpoint are not delivered again (shard-resume.ts).
 */
import { createHash } from 'node:crypto';
import type { Persistence } from '../contracts';
import { FileBlobStore } from '../persistence/file-blob-store';
import type { CodeArchive, FunctionRegistry, SavedFunction } from './api/function-registry';
import type {
  MappingJournalEvent,
  MappingManager,
  SavedMapping,
} from './event-sources/mapping-manager';

/** Zips kept by their SHA-256: the same code deployed twice is one file. */
export function codeArchive(persistence: Persistence | undefined): CodeArchive | undefined {
  if (!persistence) return undefined;
  const blobs = new FileBlobStore(persistence.dir('lambda-code'));
  return {
    keep(zip) {
      const id = createHash('sha256').update(zip).digest('hex');
      if (!blobs.has(id)) blobs.put(id, zip);
      return id;
    },
    read: (id) => blobs.get(id),
    keepOnly: (ids) => blobs.keepOnly(ids),
  };
}

export function registerLambdaPersistence(
  persistence: Persistence | undefined,
  functions: FunctionRegistry,
  mappings: MappingManager,
  archive: CodeArchive | undefined,
): void {
  if (!persistence) return;
  persistence.register({
    name: 'lambda-functions',
    snapshot: () => functions.snapshot(),
    restore: (saved) => {
      const list = (saved as SavedFunction[] | undefined) ?? [];
      functions.restore(list);
      // Zips of functions deleted or updated before the last snapshot.
      archive?.keepOnly(list.flatMap((f) => (f.zipId ? [f.zipId] : [])));
    },
  });
  const journal = persistence.register({
    name: 'lambda-mappings',
    snapshot: () => mappings.saved(),
    restore: (saved, events) =>
      mappings.restore(
        (saved as SavedMapping[] | undefined) ?? [],
        events as readonly MappingJournalEvent[],
      ),
  });
  mappings.journalTo((e) => journal.append(e));
}
