/**
 * A spike whose endpoint stops answering, in virtual time (the real
 * runSpike, writers, limiter and shard map against ThrottlingStreamModel,
 * the clock faked): refused connections are not throttling. While the
 * endpoint is down the writers send one probe at a time instead of
 * re-sending every record (the old writers retried each record with its own
 * backoff: thousands of calls a minute); when it comes back nothing is lost
 * or sent twice; when it never comes back the run ends after
 * `giveUpAfterMs` with EndpointDownError and counts what was never sent.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EndpointDownError, EndpointHealth } from '../../../producer/endpoint-health';
import { classifyCallError } from '../../../producer/call-errors';
import { PRODUCER_CONFIG } from '../../../producer/producer-config';
import { emptyStats } from '../../../producer/producer-stats';
import { planSpike } from '../../../producer/spike-plan';
import { runSpike, type SpikeSummary } from '../../../producer/spike-runner';
import { ThrottlingStreamModel } from './throttling-stream-model';

const E = PRODUCER_CONFIG.endpoint;
const PLAN = { producers: 1, spikeProducers: 1, baselineS: 3, spikeS: 6, cooldownS: 3 };
const WRITERS = PLAN.producers + PLAN.spikeProducers;
/** Calls a dead endpoint gets: those in flight when it died, then one probe per wait. */
function callBound(downMs: number): number {
  let probes = 0;
  for (let t = 0, n = 0; t < downMs; n++, probes++)
    t += Math.min(E.probeCapMs, E.probeBaseMs * 2 ** n);
  return WRITERS * PRODUCER_CONFIG.writer.maxInFlight + probes + 1;
}

interface Outcome {
  summary: SpikeSummary;
  model: ThrottlingStreamModel;
  acceptedPayloads: string[];
}

async function spikeWithOutage(downAtS: number, upAtS: number | undefined): Promise<Outcome> {
  const model = new ThrottlingStreamModel(2, 1000, 20);
  setTimeout(() => (model.unreachable = 'ECONNREFUSED'), downAtS * 1000);
  if (upAtS !== undefined) setTimeout(() => (model.unreachable = undefined), upAtS * 1000);
  const acceptedPayloads: string[] = [];
  let summary: SpikeSummary | undefined;
  void runSpike({
    client: model.client(),
    streamName: 'model',
    plan: planSpike(PLAN),
    ratePerProducer: 400,
    stats: emptyStats(),
    generator: { seed: 5, users: 300, allowedLatenessMs: 10_000, windowSizeMs: 10_000 },
    onAccepted: (r) => acceptedPayloads.push(r.data),
  }).then((s) => (summary = s));
  while (!summary) await vi.advanceTimersByTimeAsync(200);
  return { summary, model, acceptedPayloads };
}

describe('a dead endpoint is not throttling (virtual time)', () => {
  beforeEach(() => {
    vi.useFakeTimers({
      toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
    });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('an outage of 5 s: a probe at a time, then every record in, once', async () => {
    const { summary, model, acceptedPayloads } = await spikeWithOutage(4, 9);
    const st = summary.stats;
    expect(summary.error).toBeUndefined();
    expect(summary.abandoned).toBe(0);
    expect(st.accepted).toBe(st.generated);
    expect(model.refusedCalls).toBeGreaterThan(0);
    expect(model.refusedCalls).toBeLessThanOrEqual(callBound(5_000));
    expect(model.resentAfterAccept).toBe(0);
    const inStream = model.accepted.map((r) => r.data);
    expect(new Set(inStream).size).toBe(st.accepted);
    expect([...acceptedPayloads].sort()).toEqual([...inStream].sort());
    // Refusals are no throttles: the limit was not cut by them.
    expect(st.throttled).toBe(model.throttled);
  }, 120_000);

  it('an endpoint that never comes back: the run gives up, says why and counts what was never sent', async () => {
    const { summary, model, acceptedPayloads } = await spikeWithOutage(4, undefined);
    const st = summary.stats;
    expect(summary.error).toBeInstanceOf(EndpointDownError);
    expect((summary.error as Error).message).toMatch(
      new RegExp(
        `^the endpoint did not answer for ${E.giveUpAfterMs / 1000} s \\(last: connect ECONNREFUSED 127\\.0\\.0\\.1:4566\\)$`,
      ),
    );
    expect(summary.aborted).toBe(false);
    expect(summary.abandoned).toBeGreaterThan(0);
    expect(summary.abandoned).toBe(st.generated - st.accepted);
    expect(acceptedPayloads.length).toBe(model.accepted.length);
    expect(model.refusedCalls).toBeLessThanOrEqual(callBound(E.giveUpAfterMs));
  }, 120_000);
});

describe('EndpointHealth', () => {
  const o = { probeBaseMs: 100, probeCapMs: 800, giveUpAfterMs: 5_000 };
  const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });

  it('one probe at a time while down, the wait doubling to its cap; the echo of calls in flight changes nothing', () => {
    const h = new EndpointHealth(o);
    expect(h.maySend(0)).toBe(true);
    h.unreachable(refused, 0, 10);
    h.unreachable(refused, 5, 12); // sent before the endpoint was marked down
    expect(h.maySend(50)).toBe(false);
    expect(h.maySend(110)).toBe(true);
    h.sending();
    expect(h.maySend(111)).toBe(false);
    const waits: number[] = [];
    let now = 110;
    for (let i = 0; i < 5; i++) {
      h.unreachable(refused, now, now + 1);
      now += 1;
      waits.push(h.waitMs(now));
      now += h.waitMs(now);
      h.sending();
    }
    expect(waits).toEqual([200, 400, 800, 800, 800]);
    expect(h.probes).toBe(6);
  });

  it('is up again at the first answer, and gives up only after giveUpAfterMs without one', () => {
    const h = new EndpointHealth(o);
    h.unreachable(refused, 1_000, 1_500);
    expect(h.gaveUp(5_999)).toBeUndefined();
    expect(h.gaveUp(6_000)).toBeInstanceOf(EndpointDownError);
    h.answered();
    expect(h.down).toBe(false);
    expect(h.gaveUp(100_000)).toBeUndefined();
  });
});

describe('classifyCallError', () => {
  it.each([
    [{ name: 'ProvisionedThroughputExceededException' }, 'throttle'],
    [{ name: 'ThrottlingException' }, 'throttle'],
    [{ name: 'Error', code: 'ECONNREFUSED' }, 'endpoint'],
    [{ name: 'Error', cause: { code: 'ECONNRESET' } }, 'endpoint'],
    [{ name: 'AggregateError', errors: [{ code: 'ECONNREFUSED' }] }, 'endpoint'],
    [{ name: 'TimeoutError' }, 'endpoint'],
    [{ name: 'Error', code: 'ERR_HTTP2_GOAWAY_SESSION' }, 'endpoint'],
    [{ name: 'Error', message: 'socket hang up' }, 'endpoint'],
    [{ name: 'InternalFailure' }, 'endpoint'],
    [{ name: 'Whatever', $metadata: { httpStatusCode: 503 } }, 'endpoint'],
    [{ name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 400 } }, 'fatal'],
    [{ name: 'UnrecognizedClientException' }, 'fatal'],
  ])('%o is %s', (err, kind) => {
    expect(classifyCallError(err)).toBe(kind);
  });
});
