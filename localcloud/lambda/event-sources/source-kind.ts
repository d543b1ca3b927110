/**
 * What an event-source kind (Kinesis, ...) gives the mapping manager: which
 * source ARNs it serves, how it checks and completes a new mapping, and the
 * runner that polls the source and invokes the function.
 */
import type { CloudContext } from '../../contracts';
import type { LambdaTunables } from '../options';
import type { InvokeOutcome } from '../runtime/execution-pool';
import type { FailureDestination } from './failure-destination';
import type { MappingDefinition, SourceKindName } from './mapping-definition';
import type { MappingInput } from './mapping-settings';
import type { RuntimeCheckpoint } from './kinesis/mapping-runtime';
import type { ShardJournalEvent } from './kinesis/shard-resume';

/** A running mapping. */
export interface MappingRunner {
  start(): void;
  /** Stop polling; what is in flight finishes. Progress is kept for a later start. */
  stop(): Promise<void>;
  /** Settings changed: take them up now rather than on the next turn. */
  settingsChanged(): void;
  /** Stream runners: where each shard stands, to resume exactly after a restart (--data-dir). */
  checkpoint?(): RuntimeCheckpoint;
}

/** What a runner may use: all of it goes through the mapping's current definition. */
export interface RunnerDeps {
  ctx: CloudContext;
  tunables: LambdaTunables;
  mapping: () => MappingDefinition;
  /** the function's execution role (the event's invokeIdentityArn) */
  role: () => string;
  /** invoke the mapping's function, waiting for a free execution environment */
  invoke: (event: unknown) => Promise<InvokeOutcome>;
  failures: FailureDestination;
  log: (line: string) => void;
  onBatchStarted?: (polledAt: number, outcome: InvokeOutcome) => void;
  /** where a stream runner resumes (its checkpoint from before a restart) */
  restored?: RuntimeCheckpoint;
  /** write-ahead journal of a stream runner's batches (--data-dir) */
  journal?: (event: ShardJournalEvent) => void;
}

export interface EventSourceKind {
  readonly name: SourceKindName;
  /** true when this kind reads the source the ARN names */
  serves(eventSourceArn: string): boolean;
  /** Check a create request and set the kind's defaults and own fields (starting position, ...). */
  prepare(i: MappingInput, def: MappingDefinition): Promise<void>;
  /** Check the settings as a whole, after a create or update applied them. */
  check(def: MappingDefinition): void;
  runner(deps: RunnerDeps): MappingRunner;
  close(): void;
}
