/**
 * UpdateShardCount, which kinesalite lacks: AWS's checks (target within half
 * and double the open shards, a daily call budget, the account's shard
 * limit), then uniform scaling in the background through SplitShard and
 * MergeShards, so the lineage (parents closed, children open) is what AWS
 * gives. The stream shows UPDATING meanwhile.
 */
import { ACCOUNT_ID } from '../config';
import { AwsError } from '../edge/aws-errors';
import { operation, type RawInput } from '../edge/operation-table';
import { streamArn } from './arns';
import { kinesisFields, streamNotFound, validationError } from './kinesis-errors';
import type { KinesisOperation, KinesisParts } from './kinesis-context';
import { nextReshardStep } from './shard-hash';
import type { StreamState } from './stream-registry';

const DAY_MS = 86_400_000;
/** How often a stream's status is re-read while a split or merge completes. */
const ACTIVE_POLL_MS = 5;
const ACTIVE_POLLS = 2000;
/** A bound on split/merge steps of one UpdateShardCount (never reached by uniform scaling). */
const MAX_STEPS = 10_000;

export interface ReshardLimits {
  /** UpdateShardCount calls per stream per rolling 24 h. */
  shardUpdatesPerDay: number;
  /** Open shards in the account. */
  shardLimit: number;
}

interface UpdateInput {
  stream: string;
  target: number;
}

const decode = (raw: RawInput): UpdateInput => {
  const f = kinesisFields(raw);
  const stream = f.str('StreamName');
  const target = raw.TargetShardCount;
  if (typeof target !== 'number' || !Number.isInteger(target) || target < 1 || target > 100_000) {
    throw validationError([
      {
        value: `'${String(target)}'`,
        at: 'targetShardCount',
        constraint: 'Member must have value between 1 and 100000',
      },
    ]);
  }
  if (raw.ScalingType !== 'UNIFORM_SCALING') {
    throw validationError([
      {
        value: `'${String(raw.ScalingType)}'`,
        at: 'scalingType',
        constraint: 'Member must satisfy enum value set: [UNIFORM_SCALING]',
      },
    ]);
  }
  return { stream, target };
};

export function reshardOperations(
  parts: KinesisParts,
  limits: ReshardLimits,
): Record<string, KinesisOperation> {
  return {
    UpdateShardCount: operation(decode, async (i) => ({
      json: await updateShardCount(parts, limits, i),
    })),
  };
}

function refuseOutOfBounds(
  current: number,
  target: number,
  limits: ReshardLimits,
  region: string,
): void {
  if (target > current * 2)
    throw new AwsError(
      'InvalidArgumentException',
      `UpdateShardCount cannot scale up over double your current open shard count. Current open shard count: ${current} Target shard count: ${target}`,
    );
  if (target < Math.ceil(current / 2))
    throw new AwsError(
      'InvalidArgumentException',
      `UpdateShardCount cannot scale down below half your current open shard count. Current open shard count: ${current} Target shard count: ${target}`,
    );
  if (target > limits.shardLimit)
    throw new AwsError(
      'LimitExceededException',
      `This request would exceed the shard limit for the account ${ACCOUNT_ID} in ${region}. Limit: ${limits.shardLimit}.`,
    );
}

async function updateShardCount(
  parts: KinesisParts,
  limits: ReshardLimits,
  { stream, target }: UpdateInput,
): Promise<Record<string, unknown>> {
  parts.streams.invalidate(stream);
  const state = await parts.streams.get(stream);
  if (!state?.open) throw streamNotFound(stream);
  const summary = await parts.backend.call('DescribeStreamSummary', { StreamName: stream });
  const status =
    (summary.json.StreamDescriptionSummary as { StreamStatus?: string; StreamARN?: string }) ?? {};
  if (state.resharding || status.StreamStatus !== 'ACTIVE')
    throw new AwsError(
      'ResourceInUseException',
      `Stream ${stream} under account ${ACCOUNT_ID} not ACTIVE, instead in state ${state.resharding ? 'UPDATING' : status.StreamStatus}`,
    );
  const current = state.open.length;
  refuseOutOfBounds(current, target, limits, parts.ctx.region);
  const now = Date.now();
  state.updateTimes = state.updateTimes.filter((t) => now - t < DAY_MS);
  if (state.updateTimes.length >= limits.shardUpdatesPerDay)
    throw new AwsError(
      'LimitExceededException',
      `Rate exceeded for stream ${stream} under account ${ACCOUNT_ID}: UpdateShardCount is limited to ${limits.shardUpdatesPerDay} calls per rolling 24 hours.`,
    );
  state.updateTimes.push(now);
  if (target !== current) {
    parts.streams.reshardStarted(state, target);
    void reshard(parts, state, target);
  }
  return {
    StreamName: stream,
    CurrentShardCount: current,
    TargetShardCount: target,
    StreamARN: status.StreamARN ?? streamArn(parts.ctx.region, stream),
  };
}

/** Runs in the background while the stream shows UPDATING. */
async function reshard(parts: KinesisParts, state: StreamState, target: number): Promise<void> {
  const name = state.name;
  try {
    for (let step = 0; step < MAX_STEPS; step++) {
      const open = await parts.streams.openShards(name);
      if (!open) throw new Error(`stream ${name} disappeared`);
      const next = nextReshardStep(open, target);
      if (next.kind === 'done') break;
      const r =
        next.kind === 'split'
          ? await parts.backend.call('SplitShard', {
              StreamName: name,
              ShardToSplit: next.shardId,
              NewStartingHashKey: next.newStartingHashKey.toString(),
            })
          : await parts.backend.call('MergeShards', {
              StreamName: name,
              ShardToMerge: next.shardId,
              AdjacentShardToMerge: next.adjacentShardId,
            });
      if (r.status !== 200) throw new Error(`${next.kind} failed: ${JSON.stringify(r.json)}`);
      await waitActive(parts, name);
    }
    parts.ctx.log('kinesis', `${name}: now ${target} open shards`);
  } catch (err) {
    parts.ctx.log(
      'kinesis',
      `${name}: UpdateShardCount to ${target} stopped: ${err instanceof Error ? err.message : String(err)}`,
    );
  } finally {
    // A cloud stopping mid-reshard keeps the target: the next start resumes it (resumeReshards).
    if (!parts.streams.closing) parts.streams.reshardEnded(state);
    parts.streams.invalidate(name);
  }
}

/**
 * After a restart on a data dir: the UpdateShardCount calls the last cloud left unfinished go on
 * from the shards there are now (uniform steps are computed from the open shards, so a split or
 * merge the stop cut short is simply made again; kinesis-store-repair.ts made the stream ACTIVE).
 */
export function resumeReshards(parts: KinesisParts): void {
  for (const state of parts.streams.unfinishedReshards()) {
    const target = state.reshardTarget!;
    parts.ctx.log('kinesis', `${state.name}: resuming UpdateShardCount to ${target} open shards`);
    state.resharding = true;
    void reshard(parts, state, target);
  }
}

async function waitActive(parts: KinesisParts, name: string): Promise<void> {
  for (let i = 0; i < ACTIVE_POLLS; i++) {
    const r = await parts.backend.call('DescribeStreamSummary', { StreamName: name });
    const s = (r.json.StreamDescriptionSummary as { StreamStatus?: string } | undefined)
      ?.StreamStatus;
    if (s === 'ACTIVE') return;
    if (r.status !== 200) throw new Error(`describe failed: ${JSON.stringify(r.json)}`);
    await new Promise((resolve) => setTimeout(resolve, ACTIVE_POLL_MS));
  }
  throw new Error('stream did not become ACTIVE');
}
