/**
 * kinesalite converts every sequence number between decimal and hex with
 * bignumber.js, per record, on both the write and the read path; profiled
 * under the ingest bench that was ~45 % of the cloud's CPU. These are the
 * same functions on native BigInt (same inputs, same outputs — checked
 * against the originals by test/integration/cloud-core-cores.test.ts),
 * installed over kinesalite's `db` module exports, which its actions call
 * through (`db.parseSequence(...)`) at request time.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export interface SequenceParts {
  shardCreateTime: number;
  seqIx?: string | number;
  byte1?: string;
  seqTime?: number;
  seqRand?: string;
  shardIx: number;
  version?: number | null;
}

interface KinesaliteDb {
  parseSequence(seq: string): SequenceParts;
  stringifySequence(obj: SequenceParts): string;
  incrementSequence(seqObj: SequenceParts | string, seqTime?: number | null): string;
  partitionKeyToHashKey(partitionKey: string): { comparedTo(x: unknown): number };
  __streamscaleFast?: boolean;
}

export function kinesaliteDb(): KinesaliteDb {
  return require('kinesalite/db') as KinesaliteDb;
}

const POW_2_124 = 1n << 124n;
const POW_2_124_NEXT = 1n << 129n; // 2^125 * 16
const POW_2_185 = 1n << 185n;
const POW_2_185_NEXT = (1n << 185n) + (1n << 184n); // 2^185 * 1.5

function shardIxToHex(shardIx: number): string {
  return ('0000000' + (shardIx || 0).toString(16)).slice(-8);
}

export function parseSequence(seq: string): SequenceParts {
  let seqNum = BigInt(seq);
  if (seqNum < POW_2_124) seqNum += POW_2_124;
  const hex = seqNum.toString(16);
  const version =
    seqNum < POW_2_124_NEXT
      ? 0
      : seqNum > POW_2_185 && seqNum < POW_2_185_NEXT
        ? parseInt(hex.slice(hex.length - 1), 16)
        : null;
  if (version === 2) {
    const seqIxHex = hex.slice(11, 27);
    let shardIxHex = hex.slice(38, 46);
    if (parseInt(seqIxHex[0]!, 16) > 7) throw new Error('Sequence index too high');
    if (parseInt(shardIxHex[0]!, 16) > 7) shardIxHex = '-' + shardIxHex;
    const shardCreateSecs = parseInt(hex.slice(1, 10), 16);
    if (shardCreateSecs >= 16025175000) throw new Error('Date too large: ' + shardCreateSecs);
    return {
      shardCreateTime: shardCreateSecs * 1000,
      seqIx: BigInt('0x' + seqIxHex).toString(),
      byte1: hex.slice(27, 29),
      seqTime: parseInt(hex.slice(29, 38), 16) * 1000,
      shardIx: parseInt(shardIxHex, 16),
      version,
    };
  } else if (version === 1) {
    return {
      shardCreateTime: parseInt(hex.slice(1, 10), 16) * 1000,
      byte1: hex.slice(11, 13),
      seqTime: parseInt(hex.slice(13, 22), 16) * 1000,
      seqRand: hex.slice(22, 36),
      seqIx: parseInt(hex.slice(36, 38), 16),
      shardIx: parseInt(hex.slice(38, 46), 16),
      version,
    };
  } else if (version === 0) {
    const shardCreateSecs = parseInt(hex.slice(1, 10), 16);
    if (shardCreateSecs >= 16025175000) throw new Error('Date too large: ' + shardCreateSecs);
    return {
      shardCreateTime: shardCreateSecs * 1000,
      byte1: hex.slice(10, 12),
      seqRand: hex.slice(12, 28),
      shardIx: parseInt(hex.slice(28, 32), 16),
      version,
    };
  }
  throw new Error('Unknown version: ' + version);
}

export function stringifySequence(obj: SequenceParts): string {
  const secs = (ms: number) => ('00000000' + Math.floor(ms / 1000).toString(16)).slice(-9);
  if (obj.version == null || obj.version === 2) {
    return BigInt(
      '0x' +
        [
          '2',
          secs(obj.shardCreateTime),
          (obj.shardIx || 0).toString(16).slice(-1),
          ('0000000000000000' + BigInt(obj.seqIx || 0).toString(16)).slice(-16),
          obj.byte1 || '00',
          secs(obj.seqTime || obj.shardCreateTime),
          shardIxToHex(obj.shardIx),
          '2',
        ].join(''),
    ).toString();
  } else if (obj.version === 1) {
    return BigInt(
      '0x' +
        [
          '2',
          secs(obj.shardCreateTime),
          (obj.shardIx || 0).toString(16).slice(-1),
          obj.byte1 || '00',
          secs(obj.seqTime || obj.shardCreateTime),
          obj.seqRand || '00000000000000',
          ('0' + Number(obj.seqIx || 0).toString(16)).slice(-2),
          shardIxToHex(obj.shardIx),
          '1',
        ].join(''),
    ).toString();
  } else if (obj.version === 0) {
    return BigInt(
      '0x' +
        [
          '1',
          secs(obj.shardCreateTime),
          obj.byte1 || '00',
          obj.seqRand || '0000000000000000',
          shardIxToHex(obj.shardIx).slice(-4),
        ].join(''),
    ).toString();
  }
  throw new Error('Unknown version: ' + obj.version);
}

export function incrementSequence(seqObj: SequenceParts | string, seqTime?: number | null): string {
  const o = typeof seqObj === 'string' ? parseSequence(seqObj) : seqObj;
  return stringifySequence({
    shardCreateTime: o.shardCreateTime,
    seqIx: o.seqIx,
    seqTime: seqTime || (o.seqTime ?? 0) + 1000,
    shardIx: o.shardIx,
  });
}

/** Decimal strings of shard hash ranges, parsed once. */
const decimalCache = new Map<string, bigint>();

function toBigInt(x: unknown): bigint {
  if (typeof x === 'bigint') return x;
  if (typeof x === 'number') return BigInt(x);
  if (typeof x === 'string') {
    let v = decimalCache.get(x);
    if (v === undefined) {
      v = BigInt(x);
      if (decimalCache.size > 10_000) decimalCache.clear();
      decimalCache.set(x, v);
    }
    return v;
  }
  // a bignumber.js instance
  return BigInt((x as { toFixed(): string }).toFixed());
}

/** What kinesalite's put actions need of a hash key: comparedTo, as bignumber.js has it. */
export class HashKey {
  constructor(readonly value: bigint) {}
  comparedTo(x: unknown): number {
    const y = toBigInt(x);
    return this.value < y ? -1 : this.value > y ? 1 : 0;
  }
  toFixed(): string {
    return this.value.toString();
  }
  toString(): string {
    return this.value.toString();
  }
}

export function partitionKeyToHashKey(partitionKey: string): HashKey {
  return new HashKey(BigInt('0x' + createHash('md5').update(partitionKey, 'utf8').digest('hex')));
}

/** Installs the BigInt versions over kinesalite's (once per process). */
export function installKinesaliteFastPaths(): void {
  const db = kinesaliteDb();
  if (db.__streamscaleFast) return;
  db.parseSequence = parseSequence;
  db.stringifySequence = stringifySequence;
  db.incrementSequence = incrementSequence;
  db.partitionKeyToHashKey = partitionKeyToHashKey;
  db.__streamscaleFast = true;
}
