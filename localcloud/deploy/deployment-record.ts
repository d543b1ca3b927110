/**
 * What the last deploy of a stack to an endpoint applied (resolved
 * properties and physical ids per logical id), kept under
 * .streamscale/deployments/. The next deploy diffs against it, as
 * CloudFormation diffs against the previous template.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Json } from './template';

export interface RecordedResource {
  type: string;
  physicalId: string;
  properties: Record<string, Json>;
}

export interface DeploymentRecord {
  stackName: string;
  endpoint: string;
  deployedAt: string;
  resources: Record<string, RecordedResource>;
}

const recordPath = (stateDir: string, stackName: string) =>
  join(stateDir, 'deployments', `${stackName}.json`);

/** The record for this stack on this endpoint, if any (a record for another endpoint does not count). */
export function readRecord(
  stateDir: string,
  stackName: string,
  endpoint: string,
): DeploymentRecord | undefined {
  try {
    const r = JSON.parse(readFileSync(recordPath(stateDir, stackName), 'utf8')) as DeploymentRecord;
    return r.endpoint === endpoint ? r : undefined;
  } catch {
    return undefined;
  }
}

export function writeRecord(stateDir: string, record: DeploymentRecord): void {
  mkdirSync(join(stateDir, 'deployments'), { recursive: true });
  writeFileSync(recordPath(stateDir, record.stackName), `${JSON.stringify(record, null, 2)}\n`);
}
