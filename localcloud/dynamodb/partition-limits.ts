/**
 * DynamoDB's per-partition-key throughput at the edge (opt-in, `npm run
 * local -- --dynamodb-partition-limits`): AWS serves at most 1,000 write and
 * 3,000 read units a second on one partition key, whatever the table's
 * capacity mode, and answers more with ProvisionedThroughputExceededException
 * (which the SDK retries with backoff). Checked before a request is sent on
 * to dynalite: a key whose units this second are spent is refused; the units
 * a request consumed (dynalite's ConsumedCapacity) are charged after it.
 * Single-key item calls are checked (GetItem, PutItem, UpdateItem,
 * DeleteItem, Query); batch calls and scans are charged to no key.
 */
import { AwsError } from '../edge/aws-errors';

export interface PartitionLimitSettings {
  wcuPerSecond: number;
  rcuPerSecond: number;
}

type Json = Record<string, unknown>;
type Kind = 'read' | 'write';

const MESSAGE =
  'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.';

interface Meter {
  second: number;
  read: number;
  write: number;
}

/** The partition key value a single-key item call addresses (as its JSON attribute value), if any. */
export function partitionKeyOf(
  operation: string,
  input: Json,
  hashKey: string,
): string | undefined {
  const value = (v: unknown) => (v === undefined ? undefined : JSON.stringify(v));
  if (operation === 'PutItem') return value((input.Item as Json | undefined)?.[hashKey]);
  if (['GetItem', 'UpdateItem', 'DeleteItem'].includes(operation))
    return value((input.Key as Json | undefined)?.[hashKey]);
  if (operation !== 'Query' || input.IndexName !== undefined) return undefined;
  const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
  const values = (input.ExpressionAttributeValues ?? {}) as Json;
  const condition = String(input.KeyConditionExpression ?? '');
  for (const m of condition.matchAll(/(#?[\w.]+)\s*=\s*(:\w+)/g)) {
    const name = m[1]?.startsWith('#') ? names[m[1]] : m[1];
    if (name === hashKey) return value(values[m[2] as string]);
  }
  return undefined;
}

export class PartitionLimits {
  private readonly meters = new Map<string, Meter>();

  constructor(
    private readonly settings: PartitionLimitSettings,
    private readonly now: () => number = Date.now,
  ) {}

  private meter(table: string, key: string): Meter {
    const second = Math.floor(this.now() / 1000);
    const id = `${table}\u0000${key}`;
    let m = this.meters.get(id);
    if (!m || m.second !== second) {
      // Keys of past seconds are of no use: forget them as the clock moves on.
      if (m === undefined && this.meters.size > 100_000) this.meters.clear();
      this.meters.set(id, (m = { second, read: 0, write: 0 }));
    }
    return m;
  }

  /** Refuses the request when its key has spent this second's units of its kind. */
  admit(table: string, key: string, kind: Kind): void {
    const m = this.meter(table, key);
    const limit = kind === 'read' ? this.settings.rcuPerSecond : this.settings.wcuPerSecond;
    if (m[kind] >= limit) throw new AwsError('ProvisionedThroughputExceededException', MESSAGE);
  }

  /** Charges the units a request consumed to its key. */
  charge(table: string, key: string, kind: Kind, units: number): void {
    this.meter(table, key)[kind] += units;
  }
}
