/**
 * The `--record FILE` log: one JSON line per record Kinesis accepted,
 * `{"shardId","sequenceNumber","partitionKey","data"}`, `data` being the exact
 * UTF-8 payload sent. The offline recomputation (and the end-to-end test)
 * reads it back.
 */
import { createWriteStream, mkdirSync, readFileSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';

export interface RecordLogLine {
  shardId: string;
  sequenceNumber: string;
  partitionKey: string;
  data: string;
}

export const recordLogLine = (r: RecordLogLine): string =>
  `${JSON.stringify({ shardId: r.shardId, sequenceNumber: r.sequenceNumber, partitionKey: r.partitionKey, data: r.data })}\n`;

export class RecordLog {
  private readonly out: WriteStream;
  lines = 0;

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.out = createWriteStream(path, { encoding: 'utf8' });
  }

  write(r: RecordLogLine): void {
    this.out.write(recordLogLine(r));
    this.lines++;
  }

  private closing?: Promise<void>;

  /** Flush and close (idempotent). */
  close(): Promise<void> {
    this.closing ??= new Promise((done, fail) => {
      this.out.once('error', fail);
      this.out.end(() => done());
    });
    return this.closing;
  }
}

export function readRecordLog(path: string): RecordLogLine[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as RecordLogLine);
}
