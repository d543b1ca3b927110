/**
 * Typed reads of a request's parameters, for the operations' input decoders.
 * JSON carries numbers and booleans, the query protocol strings; both are
 * accepted. A missing or mistyped parameter becomes the service's own error
 * (each service names them differently), never a stack trace.
 */
import type { AwsError } from './aws-errors';
import type { RawInput } from './operation-table';

export interface InputErrors {
  missing(name: string): AwsError;
  invalid(name: string, value: unknown, expected: string): AwsError;
}

export class Fields {
  constructor(
    private readonly raw: RawInput,
    private readonly errors: InputErrors,
  ) {}

  has(name: string): boolean {
    const v = this.raw[name];
    return v !== undefined && v !== null && v !== '';
  }

  str(name: string): string {
    if (!this.has(name)) throw this.errors.missing(name);
    return this.optStr(name)!;
  }

  optStr(name: string): string | undefined {
    const v = this.raw[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    throw this.errors.invalid(name, v, 'a string');
  }

  num(name: string): number {
    if (!this.has(name)) throw this.errors.missing(name);
    return this.optNum(name)!;
  }

  optNum(name: string): number | undefined {
    const v = this.raw[name];
    if (v === undefined || v === null || v === '') return undefined;
    const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
    if (!Number.isFinite(n)) throw this.errors.invalid(name, v, 'a number');
    return n;
  }

  optBool(name: string): boolean | undefined {
    const v = this.raw[name];
    if (v === undefined || v === null || v === '') return undefined;
    if (v === true || v === 'true') return true;
    if (v === false || v === 'false') return false;
    throw this.errors.invalid(name, v, 'true or false');
  }

  list<T = RawInput>(name: string): T[] {
    const v = this.raw[name];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) throw this.errors.invalid(name, v, 'a list');
    return v as T[];
  }

  obj(name: string): RawInput | undefined {
    const v = this.raw[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'object' || Array.isArray(v))
      throw this.errors.invalid(name, v, 'a structure');
    return v as RawInput;
  }
}
