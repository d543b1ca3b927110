/**
 * The scaler's memory in the control table (pk SCALER, sk STATE; see
 * table-layout.ts): the policy's ScalingMemory, the last decision, and
 * `runStartedAt` — the start of the scheduled run that owns the scaler now.
 * A newer run claims the item; an older one sees that on its next save
 * (conditional on its own runStartedAt) and stops, so two overlapping
 * invocations never both act.
 */
import {
  ConditionalCheckFailedException,
  GetItemCommand,
  UpdateItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { ScalingMemory } from '../core/scaling/types';
import { SCALER_PK, SCALER_SK } from '../core/table-layout';

export interface LastDecision {
  at: number;
  desiredShards: number;
  desiredParallelization: number;
  actualShards: number;
  actualParallelization: number;
  reason: string;
}

export interface ScalerStateItem {
  pk: typeof SCALER_PK;
  sk: typeof SCALER_SK;
  runStartedAt?: number;
  /** the owning run's last tick (epoch ms) */
  runUntil?: number;
  memory?: ScalingMemory;
  lastDecision?: LastDecision;
  updatedAt?: number;
}

const key = marshall({ pk: SCALER_PK, sk: SCALER_SK });

export async function loadScalerState(
  ddb: DynamoDBClient,
  table: string,
): Promise<ScalerStateItem | undefined> {
  const res = await ddb.send(
    new GetItemCommand({ TableName: table, Key: key, ConsistentRead: true }),
  );
  return res.Item ? (unmarshall(res.Item) as ScalerStateItem) : undefined;
}

/** When a run may take over from the owner. */
export interface ClaimTerms {
  /** the new run's last tick (epoch ms): what later runs compare with */
  runUntil: number;
  /** the owner ends by then (epoch ms): hand over */
  handoverAt: number;
}

/**
 * Take over the scaler for a run started at `runStartedAt`: only a newer run,
 * and only when the owner's run is ending (its deadline, at most one
 * schedule period after it started, bounds how long a dead owner blocks).
 * Taking over a live owner would let a slow machine livelock the scaler:
 * were each run slower to reach its first decision than the schedule's
 * period, every run would be replaced before it decided anything.
 */
export async function claimScalerRun(
  ddb: DynamoDBClient,
  table: string,
  runStartedAt: number,
  terms: ClaimTerms,
): Promise<boolean> {
  try {
    await ddb.send(
      new UpdateItemCommand({
        TableName: table,
        Key: key,
        UpdateExpression: 'SET runStartedAt = :r, runUntil = :until',
        ConditionExpression:
          'attribute_not_exists(runStartedAt) OR ' +
          '(runStartedAt < :r AND (attribute_not_exists(runUntil) OR runUntil <= :handover))',
        ExpressionAttributeValues: marshall({
          ':r': runStartedAt,
          ':until': terms.runUntil,
          ':handover': terms.handoverAt,
        }),
      }),
    );
    return true;
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) return false;
    throw err;
  }
}

/** Save memory and decision if this run still owns the scaler; false when a newer run took over. */
export async function saveScalerState(
  ddb: DynamoDBClient,
  table: string,
  runStartedAt: number,
  memory: ScalingMemory,
  lastDecision: LastDecision,
): Promise<boolean> {
  try {
    await ddb.send(
      new UpdateItemCommand({
        TableName: table,
        Key: key,
        UpdateExpression: 'SET #m = :m, lastDecision = :d, updatedAt = :u',
        ConditionExpression: 'runStartedAt = :r',
        ExpressionAttributeNames: { '#m': 'memory' },
        ExpressionAttributeValues: marshall(
          { ':m': memory, ':d': lastDecision, ':u': lastDecision.at, ':r': runStartedAt },
          { removeUndefinedValues: true },
        ),
      }),
    );
    return true;
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) return false;
    throw err;
  }
}
