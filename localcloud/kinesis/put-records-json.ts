/**
 * Parses a PutRecords body (up to ~7 MiB of JSON) without one large string
 * (pure). V8 allocates a string over ~128 KiB in large-object space, which
 * costs milliseconds (measured: 5 ms for a 219 KB body, 0.03 ms for 87 KB),
 * more than parsing it. The Data values — base64, nearly all the bytes —
 * are cut out and read one by one as small strings; the rest, a few KiB, is
 * parsed as usual. The result equals JSON.parse's; anything unusual
 * (escapes in Data, numbers where Data is, duplicate keys) falls back to
 * JSON.parse.
 */
import { parseJsonObject, type RawInput } from '../edge/operation-table';

/** Below this, one string is cheap: JSON.parse directly. */
const SMALL_BODY = 64 * 1024;
const DATA_KEY = Buffer.from('"Data":"');
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

export function parsePutRecordsBody(body: Buffer, smallBody = SMALL_BODY): RawInput {
  if (body.length < smallBody) return parseJsonObject(body);
  const values: Array<[start: number, end: number]> = [];
  const pieces: string[] = [];
  let from = 0;
  for (let at = body.indexOf(DATA_KEY); at >= 0; at = body.indexOf(DATA_KEY, from)) {
    const start = at + DATA_KEY.length;
    const end = body.indexOf(QUOTE, start);
    if (end < 0 || body.subarray(start, end).includes(BACKSLASH)) return parseJsonObject(body);
    pieces.push(body.toString('utf8', from, at), `"Data":${values.length}`);
    values.push([start, end]);
    from = end + 1;
  }
  pieces.push(body.toString('utf8', from));
  let reduced: RawInput;
  try {
    reduced = JSON.parse(pieces.join('')) as RawInput;
  } catch {
    return parseJsonObject(body); // the protocol's own error for a malformed body
  }
  const records = reduced.Records;
  if (!Array.isArray(records) || records.length !== values.length) return parseJsonObject(body);
  for (let i = 0; i < records.length; i++) {
    const r = records[i] as RawInput | null;
    if (!r || typeof r !== 'object' || r.Data !== i) return parseJsonObject(body);
    r.Data = body.toString('utf8', values[i]![0], values[i]![1]);
  }
  return reduced;
}
