/** CloudWatch dashboards: Put/Get/List/DeleteDashboards, kept in memory as sent. */
import { ACCOUNT_ID } from '../config';
import { AwsError } from '../edge/aws-errors';
import { operation, type RawInput } from '../edge/operation-table';
import { asArray } from '../edge/query-protocol';
import { cwFields, notFound } from './cloudwatch-errors';
import type { CloudWatchOperation } from './metric-operations';

export interface Dashboard {
  name: string;
  body: string;
  modified: Date;
}

const dashboardArn = (name: string) => `arn:aws:cloudwatch::${ACCOUNT_ID}:dashboard/${name}`;

const invalidBody = (detail: string) =>
  new AwsError(
    'DashboardInvalidInputError',
    `The field DashboardBody must be ${detail}`,
    400,
    'InvalidParameterInput',
  );

function decodePut(raw: RawInput): Dashboard {
  const f = cwFields(raw);
  const name = f.str('DashboardName');
  const body = f.str('DashboardBody');
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (e) {
    throw invalidBody(`a valid JSON object: ${(e as Error).message}`);
  }
  if (
    !parsed ||
    typeof parsed !== 'object' ||
    !Array.isArray((parsed as { widgets?: unknown }).widgets)
  )
    throw invalidBody('a JSON object with a "widgets" array.');
  return { name, body, modified: new Date() };
}

const dashboardMissing = (names: string[]) =>
  notFound('DashboardNotFoundError', `Dashboard ${names.join(', ')} does not exist`);

/** `dashboards`: the store, owned by the caller (saved on a data dir). */
export function dashboardOperations(
  dashboards = new Map<string, Dashboard>(),
): Record<string, CloudWatchOperation> {
  return {
    PutDashboard: operation(decodePut, (d) => {
      dashboards.set(d.name, d);
      return { DashboardValidationMessages: [] };
    }),
    GetDashboard: operation(
      (raw) => cwFields(raw).str('DashboardName'),
      (name) => {
        const d = dashboards.get(name);
        if (!d) throw dashboardMissing([name]);
        return { DashboardArn: dashboardArn(name), DashboardBody: d.body, DashboardName: name };
      },
    ),
    ListDashboards: operation(
      (raw) => cwFields(raw).optStr('DashboardNamePrefix') ?? '',
      (prefix) => ({
        DashboardEntries: [...dashboards.values()]
          .filter((d) => d.name.startsWith(prefix))
          .sort((a, b) => a.name.localeCompare(b.name))
          .map((d) => ({
            DashboardName: d.name,
            DashboardArn: dashboardArn(d.name),
            LastModified: d.modified,
            Size: Buffer.byteLength(d.body),
          })),
      }),
    ),
    DeleteDashboards: operation(
      (raw) => asArray<string>(raw.DashboardNames).map(String),
      (names) => {
        const unknown = names.filter((n) => !dashboards.has(n));
        if (unknown.length > 0) throw dashboardMissing(unknown);
        for (const n of names) dashboards.delete(n);
        return undefined;
      },
    ),
  };
}
