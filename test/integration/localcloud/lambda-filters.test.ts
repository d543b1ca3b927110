/**
 * FilterCriteria on an event source mapping, through the Lambda API: stored
 * and returned by Create/Get/List/Update, refused when malformed, and applied
 * — records that match no pattern never reach the function and the mapping
 * moves past them (it does not stall behind them).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import {
  CreateEventSourceMappingCommand,
  GetEventSourceMappingCommand,
  ListEventSourceMappingsCommand,
  UpdateEventSourceMappingCommand,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createRecorder,
  createStream,
  eventually,
  mappingEnabled,
  recorded,
  startLambdaCloud,
  type LambdaTestCloud,
} from './lambda-helpers';

let cloud: LambdaTestCloud;
let dir: string;
beforeAll(async () => {
  cloud = await startLambdaCloud();
  dir = mkdtempSync(join(tmpdir(), 'lambda-filters-'));
});
afterAll(async () => {
  await cloud?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const pattern = (p: unknown) => ({ Filters: [{ Pattern: JSON.stringify(p) }] });

async function put(stream: string, values: string[]): Promise<void> {
  await cloud.clients.kinesis.send(
    new PutRecordsCommand({
      StreamName: stream,
      Records: values.map((v, i) => ({ PartitionKey: `pk${i % 3}`, Data: Buffer.from(v) })),
    }),
  );
}

describe('FilterCriteria on a Kinesis mapping', () => {
  it('is stored, returned, applied, and replaced live by UpdateEventSourceMapping', async () => {
    const arn = await createStream(cloud.clients.kinesis, 'filtered', 1);
    const file = join(dir, 'filtered.jsonl');
    await createRecorder(cloud, 'filtered-fn', file);
    const errors = pattern({ data: { level: ['ERROR'], code: [{ numeric: ['>=', 500] }] } });
    const created = await cloud.clients.lambda.send(
      new CreateEventSourceMappingCommand({
        FunctionName: 'filtered-fn',
        EventSourceArn: arn,
        StartingPosition: 'TRIM_HORIZON',
        BatchSize: 100,
        FilterCriteria: errors,
      }),
    );
    expect(created.FilterCriteria).toEqual(errors);
    await mappingEnabled(cloud, created.UUID!);
    const got = await cloud.clients.lambda.send(
      new GetEventSourceMappingCommand({ UUID: created.UUID! }),
    );
    expect(got.FilterCriteria).toEqual(errors);
    const listed = await cloud.clients.lambda.send(
      new ListEventSourceMappingsCommand({ FunctionName: 'filtered-fn' }),
    );
    expect(listed.EventSourceMappings?.[0]?.FilterCriteria).toEqual(errors);

    const batch = [
      '{"level":"INFO","code":200}',
      '{"level":"ERROR","code":503}',
      'not json at all',
      '{"level":"ERROR","code":404}',
      '{"level":"ERROR","code":500,"n":1}',
    ];
    await put('filtered', batch);
    const delivered = await eventually('the two matching records', () => {
      const data = recorded(file).flatMap((s) => s.data);
      return data.length >= 2 ? data : undefined;
    });
    expect(delivered).toEqual([batch[1], batch[4]]);

    // A new pattern applies to what comes next; the skipped records are not delivered again.
    const infos = pattern({ data: { level: [{ 'anything-but': ['ERROR'] }] } });
    const updated = await cloud.clients.lambda.send(
      new UpdateEventSourceMappingCommand({ UUID: created.UUID!, FilterCriteria: infos }),
    );
    expect(updated.FilterCriteria).toEqual(infos);
    await mappingEnabled(cloud, created.UUID!);
    await put('filtered', ['{"level":"ERROR","code":500}', '{"level":"WARN","code":1}']);
    await eventually('the WARN record', () =>
      recorded(file).some((s) => s.data.includes('{"level":"WARN","code":1}')),
    );
    expect(recorded(file).flatMap((s) => s.data)).toEqual([
      batch[1],
      batch[4],
      '{"level":"WARN","code":1}',
    ]);

    // An empty filter list clears the criteria: everything is delivered.
    const cleared = await cloud.clients.lambda.send(
      new UpdateEventSourceMappingCommand({ UUID: created.UUID!, FilterCriteria: { Filters: [] } }),
    );
    expect(cleared.FilterCriteria).toBeUndefined();
  });

  it('refuses a malformed pattern with InvalidParameterValueException', async () => {
    const arn = await createStream(cloud.clients.kinesis, 'bad-filter', 1);
    await createRecorder(cloud, 'bad-filter-fn', join(dir, 'bad.jsonl'));
    await expect(
      cloud.clients.lambda.send(
        new CreateEventSourceMappingCommand({
          FunctionName: 'bad-filter-fn',
          EventSourceArn: arn,
          StartingPosition: 'TRIM_HORIZON',
          FilterCriteria: { Filters: [{ Pattern: '{"data":{"level":"ERROR"}}' }] },
        }),
      ),
    ).rejects.toMatchObject({
      name: 'InvalidParameterValueException',
      message: expect.stringMatching(/Invalid filter pattern definition/),
    });
  });
});
