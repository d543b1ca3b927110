/**
 * AWS::Lambda::Function and AWS::Lambda::EventSourceMapping.
 *
 * Function code is what the template names: a zip in S3 (the cdk asset), or
 * LocalStack's hot-reload convention (S3Bucket "hot-reload", S3Key = a bundle
 * directory); inline ZipFile source is zipped as index.js. A later deploy updates code
 * (UpdateFunctionCode) and configuration (UpdateFunctionConfiguration) in
 * place, and a mapping's settings with UpdateEventSourceMapping; a
 * ParallelizationFactor the scaler set at run time is kept unless the
 * template changed it.
 */
import {
  CreateEventSourceMappingCommand,
  CreateFunctionCommand,
  DeleteEventSourceMappingCommand,
  GetEventSourceMappingCommand,
  GetFunctionCommand,
  GetFunctionEventInvokeConfigCommand,
  PutFunctionEventInvokeConfigCommand,
  ListEventSourceMappingsCommand,
  PutFunctionConcurrencyCommand,
  UpdateEventSourceMappingCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  type EventSourceMappingConfiguration,
  type FunctionConfiguration,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import { changedProperties } from '../diff';
import { zipFiles } from '../zip-directory';
import type { Json } from '../template';
import { bool, defined, errorName, num, waitFor, type Applier } from './types';
import { ACCOUNT_ID } from '../../config';

type Obj = Record<string, Json>;

async function getFunction(
  client: LambdaClient,
  name: string,
): Promise<FunctionConfiguration | undefined> {
  try {
    return (await client.send(new GetFunctionCommand({ FunctionName: name }))).Configuration;
  } catch (err) {
    if (errorName(err) === 'ResourceNotFoundException') return undefined;
    throw err;
  }
}

async function waitReady(client: LambdaClient, name: string): Promise<FunctionConfiguration> {
  let cfg: FunctionConfiguration | undefined;
  await waitFor(`function ${name} to become Active`, async () => {
    cfg = await getFunction(client, name);
    return !!cfg && cfg.State !== 'Pending' && cfg.LastUpdateStatus !== 'InProgress';
  });
  return cfg!;
}

/**
 * Code as the Lambda API takes it: a bucket and key (a zip in S3, or the
 * hot-reload directory); inline source (ZipFile) zipped as index.js, as
 * CloudFormation does for Node.js.
 */
function code(props: Obj): { S3Bucket: string; S3Key: string } | { ZipFile: Uint8Array } {
  const c = (props.Code ?? {}) as Obj;
  if (typeof c.ZipFile === 'string')
    return { ZipFile: zipFiles([{ name: 'index.js', data: Buffer.from(c.ZipFile) }]) };
  return { S3Bucket: String(c.S3Bucket), S3Key: String(c.S3Key) };
}

/** The configuration fields of CreateFunction / UpdateFunctionConfiguration a template sets. */
function configuration(props: Obj) {
  const env = (props.Environment as Obj | undefined)?.Variables as
    Record<string, string> | undefined;
  return defined({
    Role: props.Role as string | undefined,
    Handler: props.Handler as string | undefined,
    Runtime: props.Runtime as FunctionConfiguration['Runtime'],
    Description: props.Description as string | undefined,
    Timeout: num(props.Timeout),
    MemorySize: num(props.MemorySize),
    Environment: env
      ? { Variables: Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)])) }
      : undefined,
    EphemeralStorage: props.EphemeralStorage
      ? { Size: num((props.EphemeralStorage as Obj).Size)! }
      : undefined,
    TracingConfig: props.TracingConfig as never,
    LoggingConfig: props.LoggingConfig as never,
  });
}
const CONFIG_PROPERTIES = [
  'TracingConfig',
  'LoggingConfig',
  'Role',
  'Handler',
  'Runtime',
  'Description',
  'Timeout',
  'MemorySize',
  'Environment',
  'EphemeralStorage',
];

export const applyFunction: Applier = async ({ name, props, previous, clients }) => {
  const client = clients.lambda;
  const accepted = ['VpcConfig', 'Layers', 'KmsKeyArn'].filter((p) => props[p] !== undefined);
  const acceptedNote =
    accepted.length > 0 ? `${accepted.join(', ')} accepted, not emulated` : undefined;
  const reserved = num(props.ReservedConcurrentExecutions);
  let cfg = await getFunction(client, name);
  if (!cfg) {
    await client.send(
      new CreateFunctionCommand({
        FunctionName: name,
        ...configuration(props),
        Role: String(props.Role ?? `arn:aws:iam::${ACCOUNT_ID}:role/lambda`),
        Code: code(props),
        Architectures: props.Architectures as Array<'x86_64' | 'arm64'> | undefined,
      }),
    );
    if (reserved !== undefined)
      await client.send(
        new PutFunctionConcurrencyCommand({
          FunctionName: name,
          ReservedConcurrentExecutions: reserved,
        }),
      );
    cfg = await waitReady(client, name);
    return {
      action: 'created',
      physicalId: name,
      values: { ref: name, attrs: { Arn: cfg.FunctionArn! } },
      detail: acceptedNote,
    };
  }

  // Without a record of the last deploy, re-apply everything (idempotent).
  const changed = previous
    ? changedProperties(previous.properties, props)
    : ['Code', ...CONFIG_PROPERTIES, 'ReservedConcurrentExecutions'];
  const done: string[] = [];
  if (changed.includes('Code')) {
    await client.send(new UpdateFunctionCodeCommand({ FunctionName: name, ...code(props) }));
    await waitReady(client, name);
    done.push('code');
  }
  const configChanged = changed.filter((p) => CONFIG_PROPERTIES.includes(p));
  if (configChanged.length > 0) {
    await client.send(
      new UpdateFunctionConfigurationCommand({ FunctionName: name, ...configuration(props) }),
    );
    await waitReady(client, name);
    done.push(...configChanged);
  }
  if (changed.includes('ReservedConcurrentExecutions') && reserved !== undefined) {
    await client.send(
      new PutFunctionConcurrencyCommand({
        FunctionName: name,
        ReservedConcurrentExecutions: reserved,
      }),
    );
    done.push('ReservedConcurrentExecutions');
  }
  cfg = (await getFunction(client, name)) ?? cfg;
  return {
    action: done.length > 0 ? 'updated' : 'unchanged',
    physicalId: name,
    values: { ref: name, attrs: { Arn: cfg.FunctionArn! } },
    detail:
      [done.length > 0 ? done.join(', ') : '', acceptedNote ?? ''].filter(Boolean).join('; ') ||
      undefined,
  };
};

/** Mapping settings a template sets, as CreateEventSourceMapping / UpdateEventSourceMapping take them. */
function mappingSettings(props: Obj) {
  return defined({
    FunctionName: props.FunctionName as string,
    Enabled: bool(props.Enabled),
    BatchSize: num(props.BatchSize),
    MaximumBatchingWindowInSeconds: num(props.MaximumBatchingWindowInSeconds),
    ParallelizationFactor: num(props.ParallelizationFactor),
    MaximumRetryAttempts: num(props.MaximumRetryAttempts),
    MaximumRecordAgeInSeconds: num(props.MaximumRecordAgeInSeconds),
    BisectBatchOnFunctionError: bool(props.BisectBatchOnFunctionError),
    TumblingWindowInSeconds: num(props.TumblingWindowInSeconds),
    DestinationConfig: props.DestinationConfig as never,
    FunctionResponseTypes: props.FunctionResponseTypes as
      Array<'ReportBatchItemFailures'> | undefined,
    FilterCriteria: props.FilterCriteria as never,
    ScalingConfig: props.ScalingConfig as never,
  });
}
/** Changing these means a new mapping (as CloudFormation replaces it). */
const REPLACING = ['EventSourceArn', 'StartingPosition', 'StartingPositionTimestamp'];

async function findMapping(
  client: LambdaClient,
  props: Obj,
  knownUuid: string | undefined,
): Promise<EventSourceMappingConfiguration | undefined> {
  if (knownUuid) {
    try {
      return await client.send(new GetEventSourceMappingCommand({ UUID: knownUuid }));
    } catch (err) {
      if (errorName(err) !== 'ResourceNotFoundException') throw err;
    }
  }
  const list = await client.send(
    new ListEventSourceMappingsCommand({
      FunctionName: String(props.FunctionName),
      EventSourceArn: String(props.EventSourceArn),
    }),
  );
  return (list.EventSourceMappings ?? []).find((m) => m.EventSourceArn === props.EventSourceArn);
}

function mappingValues(m: EventSourceMappingConfiguration) {
  return {
    ref: m.UUID!,
    attrs: defined({ Id: m.UUID!, EventSourceMappingArn: m.EventSourceMappingArn }) as Record<
      string,
      Json
    >,
  };
}

async function createMapping(
  client: LambdaClient,
  props: Obj,
): Promise<EventSourceMappingConfiguration> {
  return client.send(
    new CreateEventSourceMappingCommand({
      ...mappingSettings(props),
      EventSourceArn: String(props.EventSourceArn),
      StartingPosition: props.StartingPosition as
        'TRIM_HORIZON' | 'LATEST' | 'AT_TIMESTAMP' | undefined,
      StartingPositionTimestamp: props.StartingPositionTimestamp
        ? new Date(String(props.StartingPositionTimestamp))
        : undefined,
    }),
  );
}

export const applyMapping: Applier = async ({ props, previous, clients }) => {
  const client = clients.lambda;
  let mapping = await findMapping(client, props, previous?.physicalId);
  if (!mapping) {
    mapping = await createMapping(client, props);
    return { action: 'created', physicalId: mapping.UUID!, values: mappingValues(mapping) };
  }
  const changed = previous
    ? changedProperties(previous.properties, props)
    : Object.keys(mappingSettings(props));
  if (changed.some((p) => REPLACING.includes(p))) {
    await client.send(new DeleteEventSourceMappingCommand({ UUID: mapping.UUID! }));
    mapping = await createMapping(client, props);
    return {
      action: 'updated',
      physicalId: mapping.UUID!,
      values: mappingValues(mapping),
      detail: 'replaced (source or starting position changed)',
    };
  }
  const settings: Record<string, unknown> = mappingSettings(props);
  const update = Object.fromEntries(Object.entries(settings).filter(([k]) => changed.includes(k)));
  // The scaler owns ParallelizationFactor at run time; without a record of the template's last value, keep the live one.
  if (!previous) delete update.ParallelizationFactor;
  if (Object.keys(update).length === 0)
    return { action: 'unchanged', physicalId: mapping.UUID!, values: mappingValues(mapping) };
  mapping = await client.send(
    new UpdateEventSourceMappingCommand({ UUID: mapping.UUID!, ...update }),
  );
  return {
    action: 'updated',
    physicalId: mapping.UUID!,
    values: mappingValues(mapping),
    detail: previous ? Object.keys(update).join(', ') : 'settings re-applied',
  };
};

/** AWS::Lambda::EventInvokeConfig: retries and age limit of asynchronous invokes (the schedules' invokes). */
export const applyEventInvokeConfig: Applier = async ({
  name,
  props,
  previous,
  predicted,
  clients,
}) => {
  const client = clients.lambda;
  const FunctionName = String(props.FunctionName);
  const Qualifier = props.Qualifier === undefined ? undefined : String(props.Qualifier);
  let exists = true;
  try {
    await client.send(new GetFunctionEventInvokeConfigCommand({ FunctionName, Qualifier }));
  } catch (err) {
    if (errorName(err) !== 'ResourceNotFoundException') throw err;
    exists = false;
  }
  const values = { ref: predicted.ref ?? name, attrs: predicted.attrs };
  if (exists && previous && changedProperties(previous.properties, props).length === 0) {
    return { action: 'unchanged', physicalId: name, values };
  }
  await client.send(
    new PutFunctionEventInvokeConfigCommand(
      defined({
        FunctionName,
        Qualifier,
        MaximumRetryAttempts: num(props.MaximumRetryAttempts),
        MaximumEventAgeInSeconds: num(props.MaximumEventAgeInSeconds),
        DestinationConfig: props.DestinationConfig as never,
      }),
    ),
  );
  return {
    action: exists ? 'updated' : 'created',
    physicalId: name,
    values,
    detail: `async retries ${num(props.MaximumRetryAttempts) ?? 'default'}, max age ${num(props.MaximumEventAgeInSeconds) ?? 'default'} s`,
  };
};
