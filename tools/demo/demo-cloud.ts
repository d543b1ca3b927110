/**
 * The demo's first step: the config for the profile, and a local cloud to run
 * on (the one already running, the user's AWS_ENDPOINT_URL, or an embedded
 * one this process starts and later stops).
 */
import { createWriteStream } from 'node:fs';
import {
  fromEnv,
  resolveConfig,
  type ConfigOverrides,
  type StreamscaleConfig,
} from '../../functions/config';
import {
  readLocalCloudState,
  writeLocalCloudState,
} from '../../localcloud/deploy/local-cloud-state';
import {
  endpointAnswers,
  probeEndpoint,
  silentCloudMessage,
} from '../../localcloud/deploy/deploy-local';
import { DEPLOY_CLIENT } from '../../localcloud/config';
import { startLocalCloud, type LocalCloud } from '../../localcloud/start-local-cloud';
import { CommandError } from '../cli-kit/errors';
import { out } from './demo-context';
import type { DemoProfile } from './profiles';

/** The profile's config overrides on top of the user's STREAMSCALE_CONFIG; exported to the synth through the env. */
export function demoConfig(profile: DemoProfile): StreamscaleConfig {
  const base = fromEnv();
  const merged = mergeDeep(
    base as unknown as Record<string, unknown>,
    profile.config as Record<string, unknown>,
  ) as ConfigOverrides;
  const config = resolveConfig(merged);
  process.env.STREAMSCALE_CONFIG = JSON.stringify(config);
  return config;
}

function mergeDeep(
  a: Record<string, unknown>,
  b: Record<string, unknown>,
): Record<string, unknown> {
  const o: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    o[k] =
      v && typeof v === 'object' && !Array.isArray(v)
        ? mergeDeep((a[k] ?? {}) as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return o;
}

export async function startCloud(
  profile: DemoProfile,
  logFile: string,
): Promise<{ endpoint: string; cloud?: LocalCloud }> {
  const running = readLocalCloudState();
  if (running && (await endpointAnswers(running.endpoint))) {
    out(`using the local cloud already running at ${running.endpoint} (pid ${running.pid})`);
    return { endpoint: running.endpoint };
  }
  const explicit = process.env.AWS_ENDPOINT_URL;
  if (explicit && explicit !== 'http://127.0.0.1:4566') {
    const probe = await probeEndpoint(explicit);
    if (probe === 'answers') {
      out(`using the endpoint ${explicit} (AWS_ENDPOINT_URL)`);
      return { endpoint: explicit };
    }
    // Something listens there and says nothing: the user's cloud, stuck. Starting another would hide it.
    if (probe === 'silent')
      throw new CommandError(
        `${silentCloudMessage(explicit, DEPLOY_CLIENT.probeTimeoutMs)}; unset AWS_ENDPOINT_URL to let npm start run its own cloud`,
      );
  }
  const log = createWriteStream(logFile, { flags: 'a' });
  const opts = {
    speedup: profile.speedup,
    log: (source: string, line: string) =>
      void log.write(`${new Date().toISOString()} ${source} | ${line}\n`),
  };
  let cloud: LocalCloud;
  try {
    cloud = await startLocalCloud({ ...opts, port: 4566 });
  } catch {
    // 4566 is taken by something that is not a streamscale cloud: any free port will do.
    cloud = await startLocalCloud({ ...opts, port: 0 });
  }
  writeLocalCloudState({
    endpoint: cloud.endpoint,
    pid: process.pid,
    startedAt: new Date().toISOString(),
    speedup: profile.speedup,
  });
  out(
    `started the embedded local cloud at ${cloud.endpoint} (schedules ${profile.speedup}x faster; its log: ${logFile})`,
  );
  return { endpoint: cloud.endpoint, cloud };
}
