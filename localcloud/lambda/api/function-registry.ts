/**
 * The functions the embedded Lambda holds and their code: create, update
 * (code or configuration: warm workers of the older generation are
 * replaced), reserved concurrency, delete. Lookups by name or ARN throw
 * AWS's ResourceNotFoundException.
 */
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import type { CloudContext } from '../../contracts';
import type { ExecutionPool } from '../runtime/execution-pool';
import {
  CodeError,
  HOT_RELOAD_BUCKET,
  loadCode,
  unpackZip,
  type CodeInput,
  type LoadedCode,
} from './code-source';
import { invalidParameter, conflict, notFound } from './errors';
import {
  functionArn,
  functionNameOf,
  lambdaTimestamp,
  type FunctionDefinition,
} from './function-definition';
import { runtimeVersionNote } from '../runtime/runtimes';
import {
  checkFunctionName,
  checkRequiredSettings,
  functionSettings,
  type FunctionInput,
} from './function-settings';

const DEFAULTS = {
  runtime: 'nodejs22.x',
  timeoutSec: 3,
  memoryMb: 128,
  ephemeralStorageMb: 512,
  tracingMode: 'PassThrough',
  logFormat: 'Text',
} as const;

/** Where zipped code is kept so it can be unpacked again after a restart (--data-dir). */
export interface CodeArchive {
  /** Keeps the zip; returns its id. */
  keep(zip: Buffer): string;
  read(id: string): Buffer | undefined;
  /** Removes every zip but these (after a restore). */
  keepOnly(ids: Iterable<string>): void;
}

/** A function as plain data: its definition and, for zipped code, the archived zip's id. */
export interface SavedFunction {
  def: FunctionDefinition;
  zipId?: string;
}

export class FunctionRegistry {
  private readonly functions = new Map<string, FunctionDefinition>();
  private readonly code = new Map<string, LoadedCode>();
  private readonly zipIds = new Map<string, string>();
  private readonly noted = new Set<string>();

  constructor(
    private readonly ctx: CloudContext,
    private readonly pool: ExecutionPool,
    private readonly maxConcurrentExecutions: number,
    private readonly archive?: CodeArchive,
  ) {}

  snapshot(): SavedFunction[] {
    return this.list().map((def) => {
      const zipId = this.zipIds.get(def.name);
      return zipId ? { def, zipId } : { def };
    });
  }

  /** Functions saved by snapshot(), their code unpacked (or mounted) again. */
  restore(saved: readonly SavedFunction[]): void {
    for (const { def, zipId } of saved) {
      let code: LoadedCode;
      try {
        const zip = zipId ? this.archive?.read(zipId) : undefined;
        if (zipId && !zip) throw new CodeError(`its archived code ${zipId} is missing`);
        code = zip
          ? unpackZip(zip, def.codeLocation)
          : loadCode({ S3Bucket: HOT_RELOAD_BUCKET, S3Key: def.codeDir });
      } catch (err) {
        // Kept, so its mappings and configuration survive; invoking it fails until its code is updated.
        this.ctx.log('lambda', `${def.name}: code not restored (${(err as Error).message})`);
        code = {
          dir: def.codeDir,
          sha256: def.codeSha256,
          size: def.codeSize,
          location: def.codeLocation,
          owned: false,
        };
      }
      delete code.zip;
      this.functions.set(def.name, { ...def, codeDir: code.dir });
      this.code.set(def.name, code);
      if (zipId) this.zipIds.set(def.name, zipId);
    }
  }

  /** By name or ARN; undefined when there is none. */
  find(ref: string): FunctionDefinition | undefined {
    return this.functions.get(functionNameOf(ref));
  }

  /** By name or ARN; AWS's ResourceNotFoundException when there is none. */
  get(ref: string): FunctionDefinition {
    const f = this.find(ref);
    if (!f)
      throw notFound(`Function not found: ${functionArn(this.ctx.region, functionNameOf(ref))}`);
    return f;
  }

  list(): FunctionDefinition[] {
    return [...this.functions.values()];
  }

  codeLocation(f: FunctionDefinition): string {
    return this.code.get(f.name)?.location ?? f.codeDir;
  }

  create(i: FunctionInput): FunctionDefinition {
    const name = typeof i.FunctionName === 'string' ? functionNameOf(i.FunctionName) : '';
    checkFunctionName(i, name);
    if (this.functions.has(name)) throw conflict(`Function already exist: ${name}`);
    checkRequiredSettings(i);
    const settings = functionSettings(i, {});
    const code = this.load(i.Code);
    const f: FunctionDefinition = {
      name,
      arn: functionArn(this.ctx.region, name),
      ...DEFAULTS,
      role: '',
      handler: '',
      description: '',
      environment: {},
      architectures: ['x86_64'],
      ...settings,
      codeDir: code.dir,
      codeSha256: code.sha256,
      codeSize: code.size,
      codeLocation: code.location,
      lastModified: lambdaTimestamp(),
      revisionId: randomUUID(),
      generation: 1,
    };
    this.functions.set(name, f);
    this.keepCode(name, code);
    this.ctx.log('lambda', `created ${name} (${f.handler} in ${code.location})`);
    this.noteRuntime(f);
    return f;
  }

  updateCode(ref: string, i: CodeInput): FunctionDefinition {
    const f = this.get(ref);
    const code = this.load(i);
    const old = this.code.get(f.name);
    if (old?.owned && old.dir !== code.dir) rmSync(old.dir, { recursive: true, force: true });
    this.keepCode(f.name, code);
    const next = this.replace(
      f,
      {
        codeDir: code.dir,
        codeSha256: code.sha256,
        codeSize: code.size,
        codeLocation: code.location,
      },
      true,
    );
    this.ctx.log('lambda', `updated code of ${f.name}: warm environments replaced`);
    return next;
  }

  updateConfiguration(ref: string, i: FunctionInput): FunctionDefinition {
    const f = this.get(ref);
    const next = this.replace(f, functionSettings(i, f), true);
    this.noteRuntime(next);
    return next;
  }

  /** States once per function and runtime when the declared Node.js is not the one it runs on. */
  private noteRuntime(f: FunctionDefinition): void {
    const key = `${f.name}\0${f.runtime}`;
    if (this.noted.has(key)) return;
    this.noted.add(key);
    const note = runtimeVersionNote(f.name, f.runtime, process.version);
    if (note) this.ctx.log('lambda', note);
  }

  putConcurrency(ref: string, value: unknown): number {
    const f = this.get(ref);
    const n = Number(value);
    if (!(Number.isInteger(n) && n >= 0))
      throw invalidParameter(
        `ReservedConcurrentExecutions must be a whole number >= 0 (got ${String(value)})`,
      );
    if (n > this.maxConcurrentExecutions)
      throw invalidParameter(
        `ReservedConcurrentExecutions ${n} is above the local cloud's limit of ${this.maxConcurrentExecutions} concurrent executions`,
      );
    this.replace(f, { reserved: n }, false);
    return n;
  }

  deleteConcurrency(ref: string): void {
    this.replace(this.get(ref), { reserved: undefined }, false);
  }

  /** Removes the function and its code; returns what was removed. */
  delete(ref: string): FunctionDefinition {
    const f = this.get(ref);
    this.functions.delete(f.name);
    this.pool.retire(f.name);
    this.removeCode(f.name);
    return f;
  }

  /** Removes code directories the registry unpacked (ZipFile), at shutdown. */
  /** Unpacked code goes; definitions and archived zips stay, for the last snapshot (--data-dir). */
  close(): void {
    for (const code of this.code.values())
      if (code.owned) rmSync(code.dir, { recursive: true, force: true });
  }

  private removeCode(name: string): void {
    const code = this.code.get(name);
    if (code?.owned) rmSync(code.dir, { recursive: true, force: true });
    this.code.delete(name);
    this.zipIds.delete(name);
  }

  /** The function's code from now on; a zip is archived (on a data dir), never kept in memory. */
  private keepCode(name: string, code: LoadedCode): void {
    if (code.zip && this.archive) this.zipIds.set(name, this.archive.keep(code.zip));
    else this.zipIds.delete(name);
    delete code.zip;
    this.code.set(name, code);
  }

  private load(code: CodeInput | undefined): LoadedCode {
    try {
      return loadCode(code, this.ctx.objects);
    } catch (err) {
      if (err instanceof CodeError) throw invalidParameter(err.message);
      throw err;
    }
  }

  /** A new definition; `fresh` = workers must be replaced (code, environment, handler, limits). */
  private replace(
    f: FunctionDefinition,
    changes: Partial<FunctionDefinition>,
    fresh: boolean,
  ): FunctionDefinition {
    const next: FunctionDefinition = {
      ...f,
      ...changes,
      lastModified: lambdaTimestamp(),
      revisionId: randomUUID(),
      generation: fresh ? f.generation + 1 : f.generation,
    };
    this.functions.set(f.name, next);
    this.pool.retire(f.name, next);
    return next;
  }
}
