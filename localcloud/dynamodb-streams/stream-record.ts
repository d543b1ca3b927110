/**
 * A DynamoDB stream record as DynamoDB Streams' GetRecords returns it (and
 * Lambda delivers it), from one item change (pure): INSERT, MODIFY or
 * REMOVE; Keys always; NewImage / OldImage as the stream's view type says;
 * no record when a write changed nothing, as DynamoDB does.
 */
import { createHash } from 'node:crypto';

export type StreamViewType = 'KEYS_ONLY' | 'NEW_IMAGE' | 'OLD_IMAGE' | 'NEW_AND_OLD_IMAGES';
export type AttributeMap = Record<string, unknown>;

export interface ItemChange {
  keys: AttributeMap;
  old?: AttributeMap;
  new?: AttributeMap;
}

export interface StreamRecord {
  eventID: string;
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  eventVersion: '1.1';
  eventSource: 'aws:dynamodb';
  awsRegion: string;
  dynamodb: {
    ApproximateCreationDateTime: number;
    Keys: AttributeMap;
    NewImage?: AttributeMap;
    OldImage?: AttributeMap;
    SequenceNumber: string;
    SizeBytes: number;
    StreamViewType: StreamViewType;
  };
}

export const VIEW_TYPES: readonly StreamViewType[] = [
  'KEYS_ONLY',
  'NEW_IMAGE',
  'OLD_IMAGE',
  'NEW_AND_OLD_IMAGES',
];

/** The key attributes of an item. */
export function keysOf(item: AttributeMap, keyNames: readonly string[]): AttributeMap {
  return Object.fromEntries(keyNames.filter((k) => k in item).map((k) => [k, item[k]]));
}

const sameItem = (a: AttributeMap, b: AttributeMap) =>
  JSON.stringify(sortDeep(a)) === JSON.stringify(sortDeep(b));

function sortDeep(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortDeep);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.keys(v as object)
        .sort()
        .map((k) => [k, sortDeep((v as Record<string, unknown>)[k])]),
    );
  return v;
}

/** The event a change is, or undefined when nothing changed. */
export function changeEvent(c: ItemChange): StreamRecord['eventName'] | undefined {
  if (c.old && c.new) return sameItem(c.old, c.new) ? undefined : 'MODIFY';
  if (c.new) return 'INSERT';
  if (c.old) return 'REMOVE';
  return undefined;
}

export function streamRecord(
  c: ItemChange,
  eventName: StreamRecord['eventName'],
  view: StreamViewType,
  sequenceNumber: string,
  region: string,
  nowMs: number,
): StreamRecord {
  const withNew = view === 'NEW_IMAGE' || view === 'NEW_AND_OLD_IMAGES';
  const withOld = view === 'OLD_IMAGE' || view === 'NEW_AND_OLD_IMAGES';
  const dynamodb: StreamRecord['dynamodb'] = {
    // DynamoDB reports whole seconds here
    ApproximateCreationDateTime: Math.floor(nowMs / 1000),
    Keys: c.keys,
    ...(withNew && c.new ? { NewImage: c.new } : {}),
    ...(withOld && c.old ? { OldImage: c.old } : {}),
    SequenceNumber: sequenceNumber,
    SizeBytes: 0,
    StreamViewType: view,
  };
  dynamodb.SizeBytes = Buffer.byteLength(
    JSON.stringify([dynamodb.Keys, dynamodb.NewImage ?? {}, dynamodb.OldImage ?? {}]),
  );
  return {
    eventID: createHash('md5').update(sequenceNumber).digest('hex'),
    eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: region,
    dynamodb,
  };
}
