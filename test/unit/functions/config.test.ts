import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  DEFAULT_CONFIG,
  fromEnv,
  resolveConfig,
  toEnv,
} from '../../../functions/config';

describe('configuration', () => {
  it('round-trips through function environment variables', () => {
    const config = resolveConfig({ prefix: 'demo', windowing: { windowSizeMs: 5_000 } });
    expect(fromEnv(toEnv(config))).toEqual(config);
  });

  it('rejects unknown settings and wrong types with the setting named', () => {
    expect(() => resolveConfig({ windowing: { windowSizMs: 1 } } as never)).toThrow(
      /windowing.windowSizMs/,
    );
    expect(() => resolveConfig({ stream: { maxShards: '4' } } as never)).toThrow(ConfigError);
  });

  it('checks shard bounds and parallelization limits', () => {
    expect(() => resolveConfig({ stream: { minShards: 4, initialShards: 2 } })).toThrow(
      /minShards/,
    );
    expect(() => resolveConfig({ consumer: { parallelizationFactor: 11 } })).toThrow(
      /parallelizationFactor/,
    );
    expect(resolveConfig().stream.shardRecordsPerSecond).toBe(
      DEFAULT_CONFIG.stream.shardRecordsPerSecond,
    );
  });

  it('lets STREAMSCALE_PREFIX override the prefix', () => {
    expect(fromEnv({ STREAMSCALE_PREFIX: 'lab' }).prefix).toBe('lab');
    expect(() => fromEnv({ STREAMSCALE_PREFIX: 'Bad Prefix' })).toThrow(/prefix/);
  });
});
