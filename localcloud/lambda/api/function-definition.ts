import { ACCOUNT_ID } from '../../config';

/** A function as the embedded Lambda keeps it (plain data). */
export interface FunctionDefinition {
  name: string;
  arn: string;
  runtime: string;
  role: string;
  handler: string;
  description: string;
  timeoutSec: number;
  memoryMb: number;
  environment: Record<string, string>;
  architectures: string[];
  ephemeralStorageMb: number;
  /** directory the handler module is loaded from (LAMBDA_TASK_ROOT) */
  codeDir: string;
  codeSha256: string;
  codeSize: number;
  /** where the code came from, for GetFunction's Code.Location */
  codeLocation: string;
  lastModified: string;
  revisionId: string;
  /** ReservedConcurrentExecutions; undefined = unreserved (only the global limit applies) */
  reserved?: number;
  /** TracingConfig.Mode, reported as configured (no X-Ray here) */
  tracingMode: 'Active' | 'PassThrough';
  /** LoggingConfig.LogGroup when set (default /aws/lambda/<name>) */
  logGroup?: string;
  /** LoggingConfig.LogFormat */
  logFormat: 'Text' | 'JSON';
  /** bumped on every code or configuration change: workers of an older generation are replaced */
  generation: number;
}

export { ACCOUNT_ID };

export function functionArn(region: string, name: string): string {
  return `arn:aws:lambda:${region}:${ACCOUNT_ID}:function:${name}`;
}

/** A FunctionName parameter: a name, a full or partial ARN, maybe with a qualifier. */
export function functionNameOf(ref: string): string {
  const parts = ref.split(':');
  if (ref.startsWith('arn:')) return parts[6] ?? ref;
  // 123456789012:function:name[:qualifier]
  if (parts.length >= 3 && parts[1] === 'function') return parts[2]!;
  return parts[0]!;
}

/** Lambda's LastModified format: 2019-10-21T12:00:00.000+0000 */
export function lambdaTimestamp(d = new Date()): string {
  return d.toISOString().replace('Z', '+0000');
}

/** FunctionConfiguration as the Lambda API returns it. */
export function functionConfiguration(f: FunctionDefinition): Record<string, unknown> {
  return {
    FunctionName: f.name,
    FunctionArn: f.arn,
    Runtime: f.runtime,
    Role: f.role,
    Handler: f.handler,
    CodeSize: f.codeSize,
    CodeSha256: f.codeSha256,
    Description: f.description,
    Timeout: f.timeoutSec,
    MemorySize: f.memoryMb,
    LastModified: f.lastModified,
    Version: '$LATEST',
    Environment: { Variables: f.environment },
    RevisionId: f.revisionId,
    State: 'Active',
    LastUpdateStatus: 'Successful',
    PackageType: 'Zip',
    Architectures: f.architectures,
    EphemeralStorage: { Size: f.ephemeralStorageMb },
    TracingConfig: { Mode: f.tracingMode },
    LoggingConfig: { LogFormat: f.logFormat, LogGroup: f.logGroup ?? `/aws/lambda/${f.name}` },
  };
}
