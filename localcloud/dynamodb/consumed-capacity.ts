/**
 * Which tables a DynamoDB call consumed capacity on, and how much (pure):
 * read from the ConsumedCapacity that dynalite returns when asked with
 * ReturnConsumedCapacity=TOTAL. Reads and writes are told apart by operation.
 */

export const READ_OPERATIONS = new Set([
  'GetItem',
  'BatchGetItem',
  'Query',
  'Scan',
  'TransactGetItems',
]);
export const WRITE_OPERATIONS = new Set([
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'BatchWriteItem',
  'TransactWriteItems',
]);

export interface CapacityUse {
  table: string;
  units: number;
  kind: 'read' | 'write';
}

interface ConsumedCapacity {
  TableName?: string;
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}

export function capacityUses(operation: string, response: Record<string, unknown>): CapacityUse[] {
  const raw = response.ConsumedCapacity as ConsumedCapacity | ConsumedCapacity[] | undefined;
  if (!raw) return [];
  const kind = READ_OPERATIONS.has(operation) ? 'read' : 'write';
  const list = Array.isArray(raw) ? raw : [raw];
  return list
    .filter((c) => c.TableName)
    .map((c) => ({
      table: c.TableName!,
      kind,
      units: (kind === 'read' ? c.ReadCapacityUnits : c.WriteCapacityUnits) ?? c.CapacityUnits ?? 0,
    }));
}

/** Table names a request touches (for ConditionalCheckFailedRequests). */
export function tablesOfRequest(input: Record<string, unknown>): string[] {
  if (typeof input.TableName === 'string') return [input.TableName];
  const items = input.RequestItems;
  if (items && typeof items === 'object') return Object.keys(items);
  return [];
}
