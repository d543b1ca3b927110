/**
 * Group names chosen to collide with the language, the item layout or the
 * schema's edges: Object.prototype members, empty-ish strings, key-like
 * strings and the longest names the schema accepts (512 UTF-16 code units,
 * up to 1,536 UTF-8 bytes). Every one of them is a valid course or user_id.
 */
import fc from 'fast-check';

export const PROTOTYPE_NAMES = [
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'valueOf',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
  '__defineGetter__',
  '__lookupSetter__',
  'prototype',
] as const;

export const EMPTYISH_NAMES = [' ', '\t', '\u0000', '\u200b', '\ufeff', '\u00a0'] as const;

export const KEYLIKE_NAMES = ['#', 'P#x', 'F', 'W#0', '.', '0', '-1', 'NaN', 'null', '"'] as const;

export const LONG_NAMES = [
  '€'.repeat(512), // 512 code units, 1,536 UTF-8 bytes
  '𝒳'.repeat(256), // astral: 256 code points, 512 code units, 1,024 bytes
  `${'a'.repeat(511)}é`,
] as const;

export const ADVERSARIAL_NAMES: readonly string[] = [
  ...PROTOTYPE_NAMES,
  ...EMPTYISH_NAMES,
  ...KEYLIKE_NAMES,
  ...LONG_NAMES,
];

/** Any schema-valid name (1-512 UTF-16 code units, well-formed), biased to the adversarial ones. */
export const nameArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...ADVERSARIAL_NAMES) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }) },
  // astral code points count two units each: 256 code points can reach the 512-unit limit
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 200, maxLength: 256 }) },
);
