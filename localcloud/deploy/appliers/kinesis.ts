/**
 * AWS::Kinesis::Stream: CreateStream and wait until ACTIVE; a later deploy
 * keeps the stream and its records, and reshards (UpdateShardCount, uniform
 * scaling) only when the template's ShardCount changed since the last deploy
 * — a shard count the scaler set at run time is left alone.
 */
import {
  CreateStreamCommand,
  DescribeStreamConsumerCommand,
  RegisterStreamConsumerCommand,
  type ConsumerDescription,
  DecreaseStreamRetentionPeriodCommand,
  DescribeStreamSummaryCommand,
  IncreaseStreamRetentionPeriodCommand,
  UpdateShardCountCommand,
  type KinesisClient,
  type StreamDescriptionSummary,
} from '@aws-sdk/client-kinesis';
import { defined, errorName, num, waitFor, type Applier } from './types';

async function describe(
  client: KinesisClient,
  name: string,
): Promise<StreamDescriptionSummary | undefined> {
  try {
    return (await client.send(new DescribeStreamSummaryCommand({ StreamName: name })))
      .StreamDescriptionSummary;
  } catch (err) {
    if (errorName(err) === 'ResourceNotFoundException') return undefined;
    throw err;
  }
}

async function waitActive(client: KinesisClient, name: string): Promise<StreamDescriptionSummary> {
  let summary: StreamDescriptionSummary | undefined;
  await waitFor(`stream ${name} to become ACTIVE`, async () => {
    summary = await describe(client, name);
    return summary?.StreamStatus === 'ACTIVE';
  });
  return summary!;
}

async function setRetention(
  client: KinesisClient,
  name: string,
  from: number,
  to: number | undefined,
): Promise<void> {
  if (to === undefined || to === from) return;
  const input = { StreamName: name, RetentionPeriodHours: to };
  await client.send(
    to > from
      ? new IncreaseStreamRetentionPeriodCommand(input)
      : new DecreaseStreamRetentionPeriodCommand(input),
  );
  await waitActive(client, name);
}

export const applyStream: Applier = async ({ name, props, previous, clients }) => {
  const client = clients.kinesis;
  const shards = num(props.ShardCount);
  const retention = num(props.RetentionPeriodHours);
  const onDemand =
    (props.StreamModeDetails as { StreamMode?: string } | undefined)?.StreamMode === 'ON_DEMAND';
  const notes = props.StreamEncryption ? ['encryption accepted, not emulated'] : [];
  let summary = await describe(client, name);

  if (!summary) {
    await client.send(
      new CreateStreamCommand(
        defined({
          StreamName: name,
          ShardCount: onDemand ? undefined : (shards ?? 1),
          StreamModeDetails: onDemand ? { StreamMode: 'ON_DEMAND' as const } : undefined,
        }),
      ),
    );
    summary = await waitActive(client, name);
    await setRetention(client, name, summary.RetentionPeriodHours ?? 24, retention);
    return {
      action: 'created',
      physicalId: name,
      values: { ref: name, attrs: { Arn: summary.StreamARN! } },
      detail: notes.join('; ') || undefined,
    };
  }

  const changes: string[] = [];
  const before = previous?.properties;
  if (before && shards !== undefined && num(before.ShardCount) !== shards) {
    await client.send(
      new UpdateShardCountCommand({
        StreamName: name,
        TargetShardCount: shards,
        ScalingType: 'UNIFORM_SCALING',
      }),
    );
    summary = await waitActive(client, name);
    changes.push(`ShardCount ${num(before.ShardCount)} -> ${shards}`);
  }
  if (before && num(before.RetentionPeriodHours) !== retention) {
    await setRetention(client, name, summary.RetentionPeriodHours ?? 24, retention);
    changes.push('RetentionPeriodHours');
  }
  if (!before) notes.push(`existing stream kept (${summary.OpenShardCount ?? '?'} open shards)`);
  return {
    action: changes.length > 0 ? 'updated' : 'unchanged',
    physicalId: name,
    values: { ref: name, attrs: { Arn: summary.StreamARN! } },
    detail: [...changes, ...notes].join('; ') || undefined,
  };
};

async function describeConsumer(
  client: KinesisClient,
  streamArn: string,
  name: string,
): Promise<ConsumerDescription | undefined> {
  try {
    return (
      await client.send(
        new DescribeStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: name }),
      )
    ).ConsumerDescription;
  } catch (err) {
    if (errorName(err) === 'ResourceNotFoundException') return undefined;
    throw err;
  }
}

/** AWS::Kinesis::StreamConsumer: RegisterStreamConsumer (kept when registered already), wait until ACTIVE. */
export const applyStreamConsumer: Applier = async ({ name, props, clients }) => {
  const client = clients.kinesis;
  const streamArn = String(props.StreamARN);
  let consumer = await describeConsumer(client, streamArn, name);
  const existed = consumer !== undefined;
  if (!existed)
    await client.send(
      new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: name }),
    );
  await waitFor(`stream consumer ${name} to become ACTIVE`, async () => {
    consumer = await describeConsumer(client, streamArn, name);
    return consumer?.ConsumerStatus === 'ACTIVE';
  });
  const c = consumer!;
  return {
    action: existed ? 'unchanged' : 'created',
    physicalId: c.ConsumerARN!,
    values: {
      ref: c.ConsumerARN!,
      attrs: {
        ConsumerARN: c.ConsumerARN!,
        ConsumerName: name,
        StreamARN: streamArn,
        ConsumerStatus: c.ConsumerStatus!,
        ConsumerCreationTimestamp: c.ConsumerCreationTimestamp!.toISOString(),
      },
    },
  };
};
