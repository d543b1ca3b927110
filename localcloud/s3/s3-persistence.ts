/**
 * S3 on a data dir: object bytes as files (FileBlobStore), buckets and
 * object metadata as the S3 part's snapshot. Without a data dir, both stay
 * in memory.
 */
import type { CloudContext, StatePart } from '../contracts';
import { FileBlobStore } from '../persistence/file-blob-store';
import { plainStatePart } from '../persistence/plain-state';
import { BucketStore, type S3State } from './bucket-store';

/** The bucket store for this cloud, registered for persistence when the cloud has a data dir. */
export function persistentBucketStore(ctx: CloudContext): BucketStore {
  const persistence = ctx.persistence;
  if (!persistence) return new BucketStore();
  const blobs = new FileBlobStore(persistence.dir('s3-objects'));
  const store = new BucketStore(blobs);
  persistence.register(s3StatePart(store.state, blobs));
  return store;
}

export function s3StatePart(state: S3State, blobs: FileBlobStore): StatePart {
  return plainStatePart('s3', state, {
    beforeSnapshot: () => blobs.snapshotTaken(),
    afterRestore: (s) => blobs.keepOnly(blobIds(s)),
  });
}

function* blobIds(s: S3State): Iterable<string> {
  for (const b of Object.values(s.buckets)) {
    for (const o of Object.values(b.objects)) yield o.blobId;
    for (const u of Object.values(b.uploads))
      for (const p of Object.values(u.parts)) yield p.blobId;
  }
}
