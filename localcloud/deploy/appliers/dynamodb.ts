/**
 * AWS::DynamoDB::Table (and AWS::DynamoDB::GlobalTable, CDK's TableV2, as its
 * replica in the stack's region): CreateTable (keys, attribute definitions, billing
 * mode, GSIs, LSIs, stream) and wait until ACTIVE; a later deploy keeps the
 * table and its items and adds GSIs the template gained. Encryption,
 * point-in-time recovery, TTL and contributor insights are accepted, not
 * emulated. A changed key schema cannot be applied in place (as on AWS,
 * where it means replacement): the error says how to start over.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  UpdateTableCommand,
  type AttributeDefinition,
  type DynamoDBClient,
  type KeySchemaElement,
  type Projection,
  type ProvisionedThroughput,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import type { Json } from '../template';
import {
  DeployError,
  defined,
  errorName,
  num,
  waitFor,
  type Applier,
  type ApplyResult,
} from './types';

async function describe(
  client: DynamoDBClient,
  name: string,
): Promise<TableDescription | undefined> {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: name }))).Table;
  } catch (err) {
    if (errorName(err) === 'ResourceNotFoundException') return undefined;
    throw err;
  }
}

async function waitActive(client: DynamoDBClient, name: string): Promise<TableDescription> {
  let table: TableDescription | undefined;
  await waitFor(`table ${name} and its indexes to become ACTIVE`, async () => {
    table = await describe(client, name);
    return (
      table?.TableStatus === 'ACTIVE' &&
      (table.GlobalSecondaryIndexes ?? []).every((g) => g.IndexStatus === 'ACTIVE')
    );
  });
  return table!;
}

type Obj = Record<string, Json>;

function throughput(
  v: Json | undefined,
  payPerRequest: boolean,
): ProvisionedThroughput | undefined {
  if (payPerRequest) return undefined;
  const t = (v ?? {}) as Obj;
  // Provisioned tables without figures get the smallest capacity (the local cloud does not meter it).
  return {
    ReadCapacityUnits: num(t.ReadCapacityUnits) ?? 1,
    WriteCapacityUnits: num(t.WriteCapacityUnits) ?? 1,
  };
}

interface IndexSpec {
  IndexName: string;
  KeySchema: KeySchemaElement[];
  Projection: Projection;
  ProvisionedThroughput?: ProvisionedThroughput;
}

function indexes(
  v: Json | undefined,
  payPerRequest: boolean,
  withThroughput: boolean,
): IndexSpec[] {
  return ((v ?? []) as Obj[]).map((g) =>
    defined({
      IndexName: g.IndexName as string,
      KeySchema: g.KeySchema as unknown as KeySchemaElement[],
      Projection: g.Projection as unknown as Projection,
      ProvisionedThroughput: withThroughput
        ? throughput(g.ProvisionedThroughput, payPerRequest)
        : undefined,
    }),
  );
}

const keyText = (k: KeySchemaElement[] | undefined) =>
  (k ?? []).map((e) => `${e.AttributeName}:${e.KeyType}`).join(',');

interface TableSpec {
  name: string;
  props: Obj;
  payPerRequest: boolean;
  keySchema: KeySchemaElement[];
  attributes: AttributeDefinition[];
  gsis: IndexSpec[];
  /** the template's settings this cloud accepts without emulating them */
  accepted: string | undefined;
}

export const applyTable: Applier = async ({ name, props, clients }) => {
  const client = clients.dynamodb;
  const payPerRequest = props.BillingMode === 'PAY_PER_REQUEST';
  const notes = [
    'SSESpecification',
    'PointInTimeRecoverySpecification',
    'TimeToLiveSpecification',
    'ContributorInsightsSpecification',
  ]
    .filter((p) => props[p] !== undefined)
    .map((p) => p.replace('Specification', ''));
  const spec: TableSpec = {
    name,
    props,
    payPerRequest,
    keySchema: props.KeySchema as unknown as KeySchemaElement[],
    attributes: (props.AttributeDefinitions ?? []) as unknown as AttributeDefinition[],
    gsis: indexes(props.GlobalSecondaryIndexes, payPerRequest, true),
    accepted: notes.length > 0 ? `${notes.join(', ')} accepted, not emulated` : undefined,
  };
  const table = await describe(client, name);
  return table ? updateTable(client, spec, table) : createTable(client, spec);
};

async function createTable(client: DynamoDBClient, spec: TableSpec): Promise<ApplyResult> {
  const { name, props, payPerRequest } = spec;
  const stream = props.StreamSpecification as Obj | undefined;
  await client.send(
    new CreateTableCommand(
      defined({
        TableName: name,
        KeySchema: spec.keySchema,
        AttributeDefinitions: spec.attributes,
        BillingMode: payPerRequest ? ('PAY_PER_REQUEST' as const) : ('PROVISIONED' as const),
        ProvisionedThroughput: throughput(props.ProvisionedThroughput, payPerRequest),
        GlobalSecondaryIndexes: spec.gsis.length > 0 ? spec.gsis : undefined,
        LocalSecondaryIndexes: props.LocalSecondaryIndexes
          ? indexes(props.LocalSecondaryIndexes, payPerRequest, false)
          : undefined,
        StreamSpecification: stream
          ? { StreamEnabled: true, StreamViewType: stream.StreamViewType as 'NEW_AND_OLD_IMAGES' }
          : undefined,
      }),
    ),
  );
  const table = await waitActive(client, name);
  return {
    action: 'created',
    physicalId: name,
    values: values(name, table),
    detail: spec.accepted,
  };
}

/** An existing table keeps its items; only GSIs the template gained are added. */
async function updateTable(
  client: DynamoDBClient,
  spec: TableSpec,
  existing: TableDescription,
): Promise<ApplyResult> {
  const { name } = spec;
  if (keyText(existing.KeySchema) !== keyText(spec.keySchema)) {
    throw new DeployError(
      `table ${name} exists with keys ${keyText(existing.KeySchema)} but the template asks for ${keyText(spec.keySchema)}; ` +
        'keys cannot change in place — restart the local cloud (its data is in memory) and deploy again',
    );
  }
  const live = new Set((existing.GlobalSecondaryIndexes ?? []).map((g) => g.IndexName));
  const added = spec.gsis.filter((g) => !live.has(g.IndexName));
  let table = existing;
  // DynamoDB creates one index per UpdateTable call.
  for (const g of added) table = await addIndex(client, spec, g);
  const detail = [
    added.length > 0 ? `added index ${added.map((g) => g.IndexName).join(', ')}` : '',
    'existing table and items kept',
    spec.accepted ?? '',
  ]
    .filter(Boolean)
    .join('; ');
  return {
    action: added.length > 0 ? 'updated' : 'unchanged',
    physicalId: name,
    values: values(name, table),
    detail,
  };
}

async function addIndex(
  client: DynamoDBClient,
  spec: TableSpec,
  g: IndexSpec,
): Promise<TableDescription> {
  const { name } = spec;
  const create = (index: IndexSpec) =>
    client.send(
      new UpdateTableCommand({
        TableName: name,
        AttributeDefinitions: spec.attributes,
        GlobalSecondaryIndexUpdates: [{ Create: index }],
      }),
    );
  try {
    await create(g);
  } catch (err) {
    // dynalite wants capacity on a new index even of an on-demand table (AWS refuses it there); give it the smallest.
    if (!(spec.payPerRequest && /provisionedThroughput/i.test((err as Error).message))) throw err;
    await create({
      ...g,
      ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 },
    });
  }
  const table = await waitActive(client, name);
  if (!(table.GlobalSecondaryIndexes ?? []).some((i) => i.IndexName === g.IndexName)) {
    // dynalite accepts UpdateTable with an index Create but ignores it.
    throw new DeployError(
      `this DynamoDB cannot add index ${g.IndexName} to the existing table ${name}; restart the local cloud (its data is in memory) and deploy again`,
    );
  }
  return table;
}

function values(name: string, t: TableDescription) {
  return {
    ref: name,
    attrs: defined({ Arn: t.TableArn!, StreamArn: t.LatestStreamArn }) as Record<string, Json>,
  };
}

/**
 * AWS::DynamoDB::GlobalTable (what CDK's `TableV2` synthesizes): the replica in
 * the stack's own region, made as a table from the same keys, indexes and
 * stream. One cloud is one region, so replicas elsewhere are not made; the
 * note says so. Write capacity comes from WriteProvisionedThroughputSettings
 * (its auto-scaling settings are accepted, not run).
 */
export const applyGlobalTable: Applier = async (input) => {
  const p = input.props;
  const provisioned = p.BillingMode === 'PROVISIONED';
  const capacity = (g: Obj): Obj | undefined => {
    if (!provisioned) return undefined;
    const w = (g.WriteProvisionedThroughputSettings ?? {}) as Obj;
    const units = num(w.WriteCapacityUnits as Json) ?? 1;
    return { ReadCapacityUnits: units, WriteCapacityUnits: units };
  };
  const region = await input.clients.dynamodb.config.region();
  const elsewhere = ((p.Replicas ?? []) as Obj[])
    .map((r) => String(r.Region))
    .filter((r) => r !== region);
  const stream = p.StreamSpecification as Obj | undefined;
  const tableProps: Obj = defined({
    TableName: p.TableName,
    KeySchema: p.KeySchema,
    AttributeDefinitions: p.AttributeDefinitions,
    BillingMode: provisioned ? 'PROVISIONED' : 'PAY_PER_REQUEST',
    ProvisionedThroughput: capacity(p),
    GlobalSecondaryIndexes: p.GlobalSecondaryIndexes
      ? ((p.GlobalSecondaryIndexes as Obj[]).map((g) =>
          defined({
            IndexName: g.IndexName,
            KeySchema: g.KeySchema,
            Projection: g.Projection,
            ProvisionedThroughput: capacity(g),
          }),
        ) as Json)
      : undefined,
    LocalSecondaryIndexes: p.LocalSecondaryIndexes,
    StreamSpecification: stream ? { StreamViewType: stream.StreamViewType } : undefined,
    SSESpecification: p.SSESpecification,
    TimeToLiveSpecification: p.TimeToLiveSpecification,
  }) as Obj;
  const result = await applyTable({ ...input, props: tableProps });
  const note =
    elsewhere.length > 0
      ? `replicas in ${elsewhere.join(', ')} not made (one region here)`
      : undefined;
  // TableId is predicted from the name (resource-types.ts), as the Arn is.
  return { ...result, detail: [result.detail, note].filter(Boolean).join('; ') || undefined };
};
