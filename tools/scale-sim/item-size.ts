/**
 * DynamoDB's item size, as it bills and limits it (pure): the UTF-8 length
 * of every attribute name plus its value's size. Strings and binaries count
 * their bytes; a number (significant digits + 1) / 2 + 1 bytes; booleans and
 * nulls 1; a list or a map 3 bytes plus 1 per element plus the elements
 * (map entries also their names); sets the sum of their members.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html
 */
const encoder = new TextEncoder();
const utf8Bytes = (s: string): number => encoder.encode(s).byteLength;

function numberBytes(n: number): number {
  const digits = String(Math.abs(n))
    .replace(/e.*$/i, '')
    .replace('.', '')
    .replace(/^0+/, '')
    .replace(/0+$/, '');
  return Math.ceil(Math.max(1, digits.length) / 2) + 1;
}

export function valueBytes(v: unknown): number {
  if (typeof v === 'string') return utf8Bytes(v);
  if (typeof v === 'number') return numberBytes(v);
  if (typeof v === 'boolean' || v === null || v === undefined) return 1;
  if (v instanceof Uint8Array) return v.byteLength;
  if (v instanceof Set) {
    let n = 0;
    for (const m of v) n += valueBytes(m);
    return n;
  }
  if (Array.isArray(v)) return v.reduce((n: number, e) => n + 1 + valueBytes(e), 3);
  if (typeof v === 'object') {
    let n = 3;
    for (const [k, e] of Object.entries(v as Record<string, unknown>)) {
      if (e !== undefined) n += 1 + utf8Bytes(k) + valueBytes(e);
    }
    return n;
  }
  throw new Error(`no DynamoDB type for ${typeof v}`);
}

/** The size of a whole item (top-level attributes, undefined ones left out as marshall does). */
export function itemBytes(item: Record<string, unknown>): number {
  let n = 0;
  for (const [k, v] of Object.entries(item)) if (v !== undefined) n += utf8Bytes(k) + valueBytes(v);
  return n;
}

export const WRITE_UNIT_BYTES = 1024;
export const READ_UNIT_BYTES = 4096;

/** Write units of one write: 1 per started KB, at least 1. */
export const writeUnits = (bytes: number): number =>
  Math.max(1, Math.ceil(bytes / WRITE_UNIT_BYTES));

/** Read units of bytes read in one request: 1 per started 4 KB (half when eventually consistent). */
export const readUnits = (bytes: number, consistent: boolean): number =>
  Math.max(1, Math.ceil(bytes / READ_UNIT_BYTES)) * (consistent ? 1 : 0.5);
