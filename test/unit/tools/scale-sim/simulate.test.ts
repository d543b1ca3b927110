import { describe, expect, it } from 'vitest';
import { simulate } from '../../../../tools/scale-sim/simulate';
import { toJson } from '../../../../tools/scale-sim/report';
import { scaleOptions } from '../../../bench/sections/scale';

describe('the scale simulation (small)', () => {
  it('runs the real consumer and closer to exact finals + late, rejects kept', async () => {
    const r = await simulate({
      ...scaleOptions(4, 25),
      recordsPerShardPerSecond: 100,
      lateFraction: 0.02,
      malformedFraction: 0.02,
    });
    const j = toJson(r);
    expect(j.differences).toEqual([]);
    expect(j.exact).toBe(true);
    expect(j.windowsClosed).toBeGreaterThanOrEqual(3);
    expect(j.lateRecords).toBeGreaterThan(0);
    expect(j.finalRecords + j.lateRecords + j.rejects).toBe(r.records);
    expect(j.throttledRequests).toBe(0);
  });

  it('throttled batches are retried whole, and the results stay exact', async () => {
    const r = await simulate({
      ...scaleOptions(8, 12),
      recordsPerShardPerSecond: 50,
      lateFraction: 0,
      malformedFraction: 0,
      // lanes whose cached cursor expires in the same second read the GLOBAL item together
      limits: { wcuPerSecond: 1000, rcuPerSecond: 2, maxItemBytes: 400 * 1024 },
    });
    expect(r.stats.throttled).toBeGreaterThan(0);
    expect(r.retriedBatches).toBeGreaterThan(0);
    expect(toJson(r).exact).toBe(true);
  });
});
