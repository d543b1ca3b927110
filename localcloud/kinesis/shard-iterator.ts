/**
 * Reads the stream name out of a kinesalite shard iterator, so GetRecords
 * metrics can carry the StreamName dimension (the request names only the
 * iterator). kinesalite encrypts iterators with a fixed key it exports.
 */
import { createDecipheriv } from 'node:crypto';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const db = require('kinesalite/db') as { ITERATOR_PWD_KEY: Buffer; ITERATOR_PWD_IV: Buffer };

export function streamNameOfIterator(iterator: string): string | undefined {
  return decodeIterator(iterator)?.streamName;
}

/** Stream, shard and sequence number (the next record's, at or after) a kinesalite iterator points at. */
export function decodeIterator(
  iterator: string,
): { streamName: string; shardId: string; sequence?: string } | undefined {
  try {
    const buf = Buffer.from(iterator, 'base64');
    if (buf.length < 24) return undefined;
    const decipher = createDecipheriv('aes-256-cbc', db.ITERATOR_PWD_KEY, db.ITERATOR_PWD_IV);
    const text = Buffer.concat([decipher.update(buf.subarray(8)), decipher.final()]).toString(
      'utf8',
    );
    const parts = text.split('/');
    return parts[1] && parts[2]
      ? { streamName: parts[1], shardId: parts[2], sequence: parts[3] || undefined }
      : undefined;
  } catch {
    return undefined;
  }
}
