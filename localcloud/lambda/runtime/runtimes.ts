/**
 * Which Lambda runtimes the embedded cloud runs (pure): Node.js only, on the
 * host's one Node.js. A runtime AWS no longer allows creating or updating is
 * refused with AWS's message; a declared Node.js version other than the
 * host's is stated (the function's process.version tells the truth).
 * The deploy engine checks templates up front with the same table.
 */

/** Node.js runtimes AWS accepts for new functions (newest last). */
export const ACCEPTED_NODE_RUNTIMES = ['nodejs20.x', 'nodejs22.x', 'nodejs24.x'] as const;

/**
 * Runtimes AWS blocks for creating and updating functions (past their
 * deprecation; nodejs18.x since 2025). nodejs20.x, deprecated on
 * 2026-04-30, is still accepted here: it is the Node.js this cloud runs on.
 */
const BLOCKED_NODE_RUNTIMES = new Set([
  'nodejs',
  'nodejs4.3',
  'nodejs4.3-edge',
  'nodejs6.10',
  'nodejs8.10',
  'nodejs10.x',
  'nodejs12.x',
  'nodejs14.x',
  'nodejs16.x',
  'nodejs18.x',
]);

const NEWEST = ACCEPTED_NODE_RUNTIMES[ACCEPTED_NODE_RUNTIMES.length - 1];

/** Why a runtime cannot be created here (AWS's wording where AWS refuses it), or undefined. */
export function runtimeRefusal(runtime: string): string | undefined {
  if (BLOCKED_NODE_RUNTIMES.has(runtime))
    return `The runtime parameter of ${runtime} is no longer supported for creating or updating AWS Lambda functions. We recommend you use the new runtime (${NEWEST}) while creating or updating functions.`;
  if (!runtime.startsWith('nodejs'))
    return `runtime ${runtime} cannot run on the embedded local cloud: it runs Node.js functions only (${ACCEPTED_NODE_RUNTIMES.join(', ')})`;
  if (!(ACCEPTED_NODE_RUNTIMES as readonly string[]).includes(runtime))
    return `Value ${runtime} at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: [${ACCEPTED_NODE_RUNTIMES.join(', ')}] (the Node.js runtimes the embedded local cloud accepts)`;
  return undefined;
}

/** The major Node.js version a runtime name declares (nodejs22.x -> 22). */
export function declaredNodeMajor(runtime: string): number | undefined {
  const m = /^nodejs(\d+)\.x$/.exec(runtime);
  return m ? Number(m[1]) : undefined;
}

/** The major version of a Node.js version string (v20.20.2 -> 20). */
export const nodeMajor = (version: string): number => Number(/^v?(\d+)/.exec(version)?.[1]);

/** A note when the declared version is not the host's (undefined when they agree). */
export function runtimeVersionNote(
  functionName: string,
  runtime: string,
  hostVersion: string,
): string | undefined {
  const declared = declaredNodeMajor(runtime);
  if (declared === undefined || declared === nodeMajor(hostVersion)) return undefined;
  return `${functionName} declares ${runtime} but runs on this machine's Node.js ${hostVersion} (the embedded cloud has one Node.js; process.version in the function says ${hostVersion}, AWS_EXECUTION_ENV says AWS_Lambda_${runtime})`;
}
