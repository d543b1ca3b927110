/**
 * CreateTable inputs for the three tables, as table-layout.ts describes
 * them. The CDK stack defines the same tables; a test keeps the two equal.
 * Tests and the local deployer create tables from these.
 */
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { resourceNames } from '../config';
import { WINDOWS_INDEX } from '../core/table-layout';

const keyed = (TableName: string): CreateTableCommandInput => ({
  TableName,
  BillingMode: 'PAY_PER_REQUEST',
  AttributeDefinitions: [
    { AttributeName: 'pk', AttributeType: 'S' },
    { AttributeName: 'sk', AttributeType: 'S' },
  ],
  KeySchema: [
    { AttributeName: 'pk', KeyType: 'HASH' },
    { AttributeName: 'sk', KeyType: 'RANGE' },
  ],
});

export function tableDefinitions(prefix: string): {
  windows: CreateTableCommandInput;
  control: CreateTableCommandInput;
  rejects: CreateTableCommandInput;
} {
  const names = resourceNames(prefix);
  const windows = keyed(names.windowsTable);
  windows.AttributeDefinitions = [
    ...(windows.AttributeDefinitions ?? []),
    { AttributeName: 'gsiPk', AttributeType: 'S' },
    { AttributeName: 'gsiSk', AttributeType: 'N' },
  ];
  windows.GlobalSecondaryIndexes = [
    {
      IndexName: WINDOWS_INDEX,
      KeySchema: [
        { AttributeName: 'gsiPk', KeyType: 'HASH' },
        { AttributeName: 'gsiSk', KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    },
  ];
  return {
    windows,
    control: keyed(names.controlTable),
    rejects: keyed(names.rejectsTable),
  };
}
