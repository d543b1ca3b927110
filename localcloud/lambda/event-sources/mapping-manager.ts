/**
 * Event source mappings' lifecycle: create (checked by the kind that serves
 * the source ARN), update live, list, delete; a mapping reports Creating /
 * Updating / Enabling / Disabling for a short transition, then settles and
 * starts or stops its runner. A disable keeps the runner (its checkpoints)
 * for a later enable.
 */
import { randomUUID } from 'node:crypto';
import { ACCOUNT_ID, LAMBDA_PLANE_DEFAULTS } from '../../config';
import type { CloudContext } from '../../contracts';
import { goneOutcome } from '../api/async-invoker';
import { invalidParameter, notFound } from '../api/errors';
import { functionNameOf } from '../api/function-definition';
import type { FunctionRegistry } from '../api/function-registry';
import type { LambdaServiceOptions, LambdaTunables } from '../options';
import type { ExecutionPool } from '../runtime/execution-pool';
import type { FailureDestination } from './failure-destination';
import { mappingConfiguration, type MappingDefinition } from './mapping-definition';
import { applyMappingSettings, type MappingInput } from './mapping-settings';
import type { RuntimeCheckpoint } from './kinesis/mapping-runtime';
import { applyRuntimeJournal } from './kinesis/mapping-runtime';
import type { ShardJournalEvent } from './kinesis/shard-resume';
import type { EventSourceKind, MappingRunner } from './source-kind';

interface MappingEntry {
  def: MappingDefinition;
  runner?: MappingRunner;
  settleTimer?: NodeJS.Timeout;
  /** where a stream runner resumes: its checkpoint from before a restart (--data-dir) */
  restored?: RuntimeCheckpoint;
}

/** A mapping as plain data (--data-dir): its definition and, for streams, its shards' progress. */
export interface SavedMapping {
  def: MappingDefinition;
  checkpoint?: RuntimeCheckpoint;
}

/** A journal event of a mapping's stream runner. */
export type MappingJournalEvent = ShardJournalEvent & { m: string };

export interface MappingManagerDeps {
  ctx: CloudContext;
  tunables: LambdaTunables;
  functions: FunctionRegistry;
  pool: ExecutionPool;
  failures: FailureDestination;
  kinds: EventSourceKind[];
  onBatchStarted?: LambdaServiceOptions['onBatchStarted'];
}

export class MappingManager {
  private readonly mappings = new Map<string, MappingEntry>();
  private closed = false;
  /** write-ahead journal of the stream runners' batches, on a data dir */
  private journal: ((e: MappingJournalEvent) => void) | undefined;

  constructor(private readonly d: MappingManagerDeps) {}

  /** Every mapping with where its runner stands now (a stopped runner's last checkpoint). */
  saved(): SavedMapping[] {
    return [...this.mappings.values()].map((m) => {
      const checkpoint = m.runner?.checkpoint?.() ?? m.restored;
      return checkpoint ? { def: m.def, checkpoint } : { def: m.def };
    });
  }

  /**
   * Mappings as saved(), with the journal appended since: each settles again (Enabling or
   * Disabling) and an enabled one resumes its shards where they stood.
   */
  restore(saved: readonly SavedMapping[], events: readonly MappingJournalEvent[]): void {
    for (const { def, checkpoint } of saved) {
      const kind = this.d.kinds.find((k) => k.serves(def.eventSourceArn));
      if (!kind || def.state === 'Deleting') continue;
      const mine = events.filter((e) => e.m === def.uuid);
      const entry: MappingEntry = {
        def: { ...def, state: def.enabled ? 'Enabling' : 'Disabling' },
        restored: applyRuntimeJournal(checkpoint, mine),
      };
      this.mappings.set(def.uuid, entry);
      this.settle(entry, kind);
    }
  }

  /** From now on, stream runners append their batches here (before the function sees them). */
  journalTo(append: (e: MappingJournalEvent) => void): void {
    this.journal = append;
  }

  get(uuid: string): MappingDefinition | undefined {
    return this.mappings.get(uuid)?.def;
  }

  view(uuid: string): Record<string, unknown> {
    return this.configuration(this.entry(uuid).def);
  }

  list(fnRef: string | undefined, source: string | undefined): Record<string, unknown>[] {
    const name = fnRef ? functionNameOf(fnRef) : undefined;
    return [...this.mappings.values()]
      .filter(
        (m) =>
          (!name || m.def.functionName === name) && (!source || m.def.eventSourceArn === source),
      )
      .map((m) => this.configuration(m.def));
  }

  async create(i: MappingInput): Promise<Record<string, unknown>> {
    const source = String(i.EventSourceArn ?? '');
    const kind = this.d.kinds.find((k) => k.serves(source));
    if (!kind)
      throw invalidParameter(
        `EventSourceArn must name a Kinesis stream or consumer, a DynamoDB stream or an SQS queue; the embedded local cloud runs those event sources only (got "${source}")`,
      );
    const f = this.d.functions.get(String(i.FunctionName ?? ''));
    const def: MappingDefinition = {
      uuid: randomUUID(),
      functionName: f.name,
      functionArn: f.arn,
      kind: kind.name,
      eventSourceArn: source,
      batchSize: LAMBDA_PLANE_DEFAULTS.defaultBatchSize,
      maximumBatchingWindowInSeconds: 0,
      parallelizationFactor: 1,
      maximumRetryAttempts: -1,
      maximumRecordAgeInSeconds: -1,
      bisectBatchOnFunctionError: false,
      functionResponseTypes: [],
      enabled: i.Enabled !== false,
      state: 'Creating',
      stateTransitionReason: 'USER_INITIATED',
      lastModified: Date.now() / 1000,
      lastProcessingResult: 'No records processed',
    };
    await kind.prepare(i, def);
    applyMappingSettings(i, def);
    kind.check(def);
    const entry: MappingEntry = { def };
    this.mappings.set(def.uuid, entry);
    this.settle(entry, kind);
    return this.configuration(def);
  }

  update(uuid: string, i: MappingInput): Record<string, unknown> {
    const entry = this.entry(uuid);
    const next = { ...entry.def };
    applyMappingSettings(i, next);
    if (i.FunctionName !== undefined) {
      const f = this.d.functions.get(String(i.FunctionName));
      next.functionName = f.name;
      next.functionArn = f.arn;
    }
    if (i.Enabled !== undefined) next.enabled = i.Enabled !== false;
    next.state = i.Enabled === undefined ? 'Updating' : next.enabled ? 'Enabling' : 'Disabling';
    next.lastModified = Date.now() / 1000;
    this.kindOf(next).check(next);
    // Settings take effect live: the runners read the definition on every turn.
    entry.def = next;
    entry.runner?.settingsChanged();
    this.settle(entry, this.kindOf(next));
    return this.configuration(next);
  }

  async delete(uuid: string): Promise<Record<string, unknown>> {
    const entry = this.entry(uuid);
    entry.def = { ...entry.def, state: 'Deleting' };
    const view = this.configuration(entry.def);
    this.mappings.delete(uuid);
    await this.stop(entry);
    return view;
  }

  /** A deleted function's mappings stop and go (AWS leaves them failing; here nothing retries against nothing). */
  async functionDeleted(name: string): Promise<void> {
    for (const [uuid, m] of this.mappings) {
      if (m.def.functionName !== name) continue;
      await this.stop(m);
      this.mappings.delete(uuid);
      this.d.ctx.log('lambda', `deleted mapping ${uuid} with its function ${name}`);
    }
  }

  /** Runners stop and are kept, so saved() still has their final checkpoints. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.mappings.values()].map((m) => this.stop(m, true)));
  }

  private entry(uuid: string): MappingEntry {
    const m = this.mappings.get(uuid);
    if (!m)
      throw notFound(
        `The resource you requested does not exist. (Service: Lambda, Status Code: 404; event source mapping ${uuid})`,
      );
    return m;
  }

  private kindOf(def: MappingDefinition): EventSourceKind {
    return this.d.kinds.find((k) => k.serves(def.eventSourceArn))!;
  }

  private configuration(def: MappingDefinition): Record<string, unknown> {
    return mappingConfiguration(def, this.d.ctx.region, ACCOUNT_ID);
  }

  /** After a short transition (as AWS reports Creating/Updating first), start or stop polling. */
  private settle(entry: MappingEntry, kind: EventSourceKind): void {
    if (entry.settleTimer) clearTimeout(entry.settleTimer);
    entry.settleTimer = setTimeout(() => {
      entry.settleTimer = undefined;
      if (this.closed || !this.mappings.has(entry.def.uuid)) return;
      entry.def = { ...entry.def, state: entry.def.enabled ? 'Enabled' : 'Disabled' };
      if (entry.def.enabled) {
        entry.runner ??= kind.runner(this.runnerDeps(entry));
        entry.runner.start();
      } else void this.stop(entry, true);
    }, this.d.tunables.stateTransitionMs);
  }

  /** keepRunner: a disable keeps the runner (and its checkpoints) for a later enable. */
  private async stop(entry: MappingEntry, keepRunner = false): Promise<void> {
    if (entry.settleTimer) clearTimeout(entry.settleTimer);
    await entry.runner?.stop();
    if (!keepRunner) {
      entry.runner = undefined;
      entry.restored = undefined;
    }
  }

  private runnerDeps(entry: MappingEntry) {
    const source = entry.def.eventSourceArn.split(/[:/]/).pop();
    return {
      ctx: this.d.ctx,
      tunables: this.d.tunables,
      mapping: () => entry.def,
      role: () => this.d.functions.find(entry.def.functionName)?.role ?? '',
      invoke: async (event: unknown) => {
        const f = this.d.functions.find(entry.def.functionName);
        if (!f) return goneOutcome('ResourceNotFoundException', 'function deleted');
        const out = await this.d.pool.run(f, event, true);
        entry.def = {
          ...entry.def,
          lastProcessingResult: out.ok ? 'OK' : 'PROBLEM: Function call failed',
        };
        return out;
      },
      failures: this.d.failures,
      log: (line: string) =>
        this.d.ctx.log('lambda', `mapping ${entry.def.uuid.slice(0, 8)} ${source}: ${line}`),
      onBatchStarted: this.d.onBatchStarted,
      restored: entry.restored,
      journal: (e: ShardJournalEvent) => this.journal?.({ m: entry.def.uuid, ...e }),
    };
  }
}
