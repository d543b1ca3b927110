/**
 * `npm run query -- <course-activity|crash-alerts|late|rejects> [options]`:
 * reads results from the stack's tables and prints them as the lab's console
 * tables or as JSON. Thin: parse, read, format; bad input and a missing
 * cloud get one-line messages, never stack traces.
 */
import { dynamoClient } from '../../functions/aws/clients';
import { fromEnv, resolveConfig, resourceNames } from '../../functions/config';
import { createResultsReader } from '../../functions/store/results-reader';
import { applyCliDefaults, endpointInUse } from '../cli-kit/aws-env';
import { CommandError, EXIT, type ExitCode } from '../cli-kit/errors';
import { isEntry, runMain } from '../cli-kit/run-main';
import { parseQueryArgs, USAGE } from './args';
import { describeCloudError } from './endpoint-errors';
import { emptyMessage, formatJson, formatTable } from './format';
import { runQuery } from './run-query';

export async function main(argv: string[]): Promise<ExitCode> {
  const args = parseQueryArgs(argv, Date.now());
  if (args.help) {
    console.log(USAGE);
    return EXIT.ok;
  }
  applyCliDefaults();
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
    if (message) throw new CommandError(message);
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
  return EXIT.ok;
}

if (isEntry(import.meta.url)) void runMain(main, { name: 'query' });
