import { describe, expect, it } from 'vitest';
import { clientEnvironment, serviceRows } from '../../../localcloud/start-local-cloud';

const rows = (opts: Parameters<typeof serviceRows>[0]) => serviceRows(opts, 12, 1000, 1024 * 1024);

describe("npm run local's table of what runs where", () => {
  it('names each service once', () => {
    for (const opts of [{}, { dataDir: '/tmp/x' }, { emulators: 'inline' as const }]) {
      const names = rows(opts).map((r) => r.service);
      expect(names).toEqual([...new Set(names)]);
      expect(names).toContain('DynamoDB');
      expect(names).toContain('Kinesis');
    }
  });

  it('says where the emulators keep their data and which thread they run on', () => {
    const backing = (opts: Parameters<typeof serviceRows>[0], service: string) =>
      rows(opts).find((r) => r.service === service)!.backedBy;
    expect(backing({}, 'DynamoDB')).toBe('dynalite (in memory, own worker thread)');
    expect(backing({ dataDir: '/tmp/x' }, 'DynamoDB')).toBe(
      'dynalite (on disk, own worker thread)',
    );
    expect(backing({ emulators: 'inline' }, 'DynamoDB')).toBe('dynalite (in memory, edge thread)');
    expect(backing({ dataDir: '/tmp/x' }, 'Kinesis')).toMatch(
      /^kinesalite \(on disk, own worker thread\) \+ edge: UpdateShardCount, per-shard limits 1000 records\/s, 1 MiB\/s$/,
    );
  });

  it('gives the schedules’ speed-up', () => {
    const events = (speedup: number) =>
      serviceRows({}, speedup, 1000, 1024 * 1024).find((r) => r.service === 'EventBridge')!
        .backedBy;
    expect(events(12)).toContain('12x faster: rate(1 minute) fires every 5 s');
    expect(events(1)).toBe('in-process schedules (real time)');
  });
});

describe('the environment it tells clients to export', () => {
  it('names the region for both AWS CLIs and every SDK, and the S3 endpoint cdklocal wants', () => {
    expect(clientEnvironment('http://127.0.0.1:4566', 'eu-west-1')).toEqual({
      AWS_ENDPOINT_URL: 'http://127.0.0.1:4566',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_REGION: 'eu-west-1',
      AWS_DEFAULT_REGION: 'eu-west-1',
      AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:4566',
    });
  });
});
