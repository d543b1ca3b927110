/**
 * DynamoDB streams in memory (time passed in, no I/O): one stream per
 * table while streaming is enabled (disabling keeps the old stream readable,
 * DISABLED, as DynamoDB does for 24 hours), each with one shard that holds
 * the table's change records in order, kept 24 hours. Iterators are opaque
 * tokens naming a position in a shard.
 */
import { ACCOUNT_ID } from '../config';
import {
  changeEvent,
  streamRecord,
  type ItemChange,
  type StreamRecord,
  type StreamViewType,
} from './stream-record';

/** DynamoDB keeps stream records for 24 hours. */
export const RETENTION_MS = 24 * 60 * 60 * 1000;

export interface KeyElement {
  AttributeName: string;
  KeyType: 'HASH' | 'RANGE';
}

export interface Shard {
  shardId: string;
  /** records[i] has absolute position first + i */
  first: number;
  records: StreamRecord[];
  startingSequence: string;
  /** set when the stream was disabled: the shard ends here */
  endingSequence?: string;
}

export interface Stream {
  arn: string;
  label: string;
  table: string;
  viewType: StreamViewType;
  keySchema: KeyElement[];
  enabled: boolean;
  createdMs: number;
  shard: Shard;
}

export interface SavedStreams {
  sequence: number;
  streams: Stream[];
}

export class StreamsError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface IteratorToken {
  arn: string;
  shardId: string;
  position: number;
}

export class StreamStore {
  private readonly streams = new Map<string, Stream>();
  /** the enabled stream of each table */
  private readonly byTable = new Map<string, Stream>();
  private sequence = 0;

  constructor(private readonly region: string) {}

  /** Every stream with its records, as plain data (--data-dir). */
  snapshot(): SavedStreams {
    return { sequence: this.sequence, streams: [...this.streams.values()] };
  }

  /** Streams saved by snapshot(); iterators handed out before stay valid (they name positions). */
  restore(saved: SavedStreams): void {
    this.streams.clear();
    this.byTable.clear();
    this.sequence = saved.sequence;
    for (const s of saved.streams) {
      this.streams.set(s.arn, s);
      if (s.enabled) this.byTable.set(s.table, s);
    }
  }

  enable(table: string, viewType: StreamViewType, keySchema: KeyElement[], now: number): Stream {
    const current = this.byTable.get(table);
    if (current) return current;
    const label = new Date(now).toISOString().replace('Z', '');
    const arn = `arn:aws:dynamodb:${this.region}:${ACCOUNT_ID}:table/${table}/stream/${label}`;
    const stream: Stream = {
      arn,
      label,
      table,
      viewType,
      keySchema,
      enabled: true,
      createdMs: now,
      shard: {
        shardId: `shardId-${String(now).padStart(20, '0')}-${label.replace(/\D/g, '').slice(-8)}`,
        first: 0,
        records: [],
        startingSequence: this.nextSequence(),
      },
    };
    this.streams.set(arn, stream);
    this.byTable.set(table, stream);
    return stream;
  }

  disable(table: string): void {
    const s = this.byTable.get(table);
    if (!s) return;
    s.enabled = false;
    s.shard.endingSequence = this.nextSequence();
    this.byTable.delete(table);
  }

  enabledStream(table: string): Stream | undefined {
    return this.byTable.get(table);
  }

  list(table?: string): Stream[] {
    return [...this.streams.values()].filter((s) => !table || s.table === table);
  }

  get(arn: string): Stream {
    const s = this.streams.get(arn);
    if (!s)
      throw new StreamsError(
        'ResourceNotFoundException',
        `Requested resource not found: Stream: ${arn} not found`,
      );
    return s;
  }

  /** Appends a change to the table's stream, if it has one and something changed. */
  record(table: string, change: ItemChange, now: number): StreamRecord | undefined {
    const s = this.byTable.get(table);
    const event = changeEvent(change);
    if (!s || !event) return undefined;
    const r = streamRecord(change, event, s.viewType, this.nextSequence(), this.region, now);
    s.shard.records.push(r);
    this.trim(s.shard, now);
    return r;
  }

  iterator(arn: string, shardId: string, type: string, sequenceNumber: string | undefined): string {
    const s = this.get(arn);
    const shard = this.shard(s, shardId);
    const index = (seq: string) => {
      const i = shard.records.findIndex((r) => r.dynamodb.SequenceNumber === seq);
      if (i < 0)
        throw new StreamsError(
          'TrimmedDataAccessException',
          `Sequence number ${seq} is not in shard ${shardId} (trimmed or never there)`,
        );
      return shard.first + i;
    };
    let position: number;
    if (type === 'TRIM_HORIZON') position = shard.first;
    else if (type === 'LATEST') position = shard.first + shard.records.length;
    else if (type === 'AT_SEQUENCE_NUMBER' && sequenceNumber) position = index(sequenceNumber);
    else if (type === 'AFTER_SEQUENCE_NUMBER' && sequenceNumber)
      position = index(sequenceNumber) + 1;
    else
      throw new StreamsError(
        'ValidationException',
        `ShardIteratorType ${type} needs SequenceNumber, or is not one of TRIM_HORIZON, LATEST, AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER`,
      );
    return encode({ arn, shardId, position });
  }

  /** Records from an iterator; `next` is undefined once a closed shard is read to its end. */
  read(token: string, limit: number, now: number): { records: StreamRecord[]; next?: string } {
    const it = decode(token);
    const s = this.get(it.arn);
    const shard = this.shard(s, it.shardId);
    this.trim(shard, now);
    if (it.position < shard.first)
      throw new StreamsError(
        'TrimmedDataAccessException',
        'The iterator points at records older than the 24-hour retention',
      );
    const from = it.position - shard.first;
    const records = shard.records.slice(from, from + limit);
    const position = it.position + records.length;
    const atEnd = position >= shard.first + shard.records.length;
    return {
      records,
      ...(atEnd && shard.endingSequence ? {} : { next: encode({ ...it, position }) }),
    };
  }

  private shard(s: Stream, shardId: string): Shard {
    if (s.shard.shardId !== shardId)
      throw new StreamsError(
        'ResourceNotFoundException',
        `Requested resource not found: Shard: ${shardId} in Stream: ${s.arn} not found`,
      );
    return s.shard;
  }

  private trim(shard: Shard, now: number): void {
    let drop = 0;
    while (
      drop < shard.records.length &&
      shard.records[drop]!.dynamodb.ApproximateCreationDateTime * 1000 < now - RETENTION_MS
    )
      drop++;
    if (drop === 0) return;
    shard.records.splice(0, drop);
    shard.first += drop;
  }

  private nextSequence(): string {
    this.sequence++;
    return `${this.sequence}`.padStart(21, '0');
  }
}

function encode(t: IteratorToken): string {
  return Buffer.from(JSON.stringify(t)).toString('base64');
}

function decode(token: string): IteratorToken {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as IteratorToken;
    if (typeof t.arn === 'string' && typeof t.position === 'number') return t;
  } catch {
    // fall through
  }
  throw new StreamsError('ValidationException', 'Invalid ShardIterator');
}
