/**
 * `npm run query -- <course-activity|crash-alerts|late|rejects> [options]`:
 * reads results from the stack's tables and prints them as the lab's console
 * tables or as JSON. Thin: parse, read, format; bad input and a missing
 * cloud get one-line messages, never stack traces.
 */
import { applyLocalDefaults, dynamoClient } from '../../functions/aws/clients';
import { ConfigError, fromEnv, resolveConfig, resourceNames } from '../../functions/config';
import { createResultsReader } from '../../functions/store/results-reader';
import { parseQueryArgs, USAGE, UsageError } from './args';
import { describeCloudError, endpointInUse } from './endpoint-errors';
import { emptyMessage, formatJson, formatTable } from './format';
import { runQuery } from './run-query';
import { quietSdkNodeVersionWarning } from './quiet-sdk-warnings';

quietSdkNodeVersionWarning();

async function main(): Promise<number> {
  const args = parseQueryArgs(process.argv.slice(2), Date.now());
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  applyLocalDefaults();
  const base = fromEnv();
  const config = args.prefix ? resolveConfig({ ...base, prefix: args.prefix }) : base;
  const names = resourceNames(config.prefix);
  const reader = createResultsReader({
    client: dynamoClient({ maxAttempts: 2 }),
    names,
    windowSizeMs: config.windowing.windowSizeMs,
  });
  const endpoint = endpointInUse();
  let rows;
  try {
    rows = await runQuery(reader, args, {
      crashAlertThreshold: config.windowing.crashAlertThreshold,
    });
  } catch (err) {
    const tables =
      args.query === 'rejects'
        ? `table ${names.rejectsTable}`
        : `table ${names.windowsTable} (or ${names.controlTable})`;
    const message = describeCloudError(err, { endpoint, resource: tables });
    if (message) throw new UsageError(message);
    throw err;
  }
  const ctx = {
    allowedLatenessMs: config.windowing.allowedLatenessMs,
    crashAlertThreshold: config.windowing.crashAlertThreshold,
  };
  if (args.json) {
    console.log(formatJson(rows));
    if (rows.length === 0) console.error(emptyMessage({ ...ctx, ...args }));
  } else if (rows.length === 0) {
    console.log(emptyMessage({ ...ctx, ...args }));
  } else {
    console.log(formatTable(args.query, rows, ctx));
  }
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError || err instanceof ConfigError) {
      console.error(err.message);
      process.exitCode = 2;
    } else {
      console.error(`query failed: ${err instanceof Error ? err.message : String(err)}`);
      process.exitCode = 1;
    }
  },
);
