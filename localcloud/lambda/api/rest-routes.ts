/**
 * The Lambda REST-JSON operations the embedded cloud serves, matched from
 * method and path as @aws-sdk/client-lambda sends them (pure).
 */
export interface RouteMatch {
  operation: string;
  params: Record<string, string>;
  query: URLSearchParams;
}

const ROUTES: Array<[method: string, pattern: string, operation: string]> = [
  ['POST', '/2015-03-31/functions', 'CreateFunction'],
  ['GET', '/2015-03-31/functions', 'ListFunctions'],
  ['GET', '/2015-03-31/functions/{FunctionName}', 'GetFunction'],
  ['DELETE', '/2015-03-31/functions/{FunctionName}', 'DeleteFunction'],
  ['GET', '/2015-03-31/functions/{FunctionName}/configuration', 'GetFunctionConfiguration'],
  ['PUT', '/2015-03-31/functions/{FunctionName}/configuration', 'UpdateFunctionConfiguration'],
  ['PUT', '/2015-03-31/functions/{FunctionName}/code', 'UpdateFunctionCode'],
  ['POST', '/2015-03-31/functions/{FunctionName}/invocations', 'Invoke'],
  ['POST', '/2014-11-13/functions/{FunctionName}/invoke-async', 'InvokeAsync'],
  ['POST', '/2015-03-31/functions/{FunctionName}/policy', 'AddPermission'],
  ['GET', '/2015-03-31/functions/{FunctionName}/policy', 'GetPolicy'],
  ['DELETE', '/2015-03-31/functions/{FunctionName}/policy/{StatementId}', 'RemovePermission'],
  ['PUT', '/2017-10-31/functions/{FunctionName}/concurrency', 'PutFunctionConcurrency'],
  ['DELETE', '/2017-10-31/functions/{FunctionName}/concurrency', 'DeleteFunctionConcurrency'],
  ['GET', '/2019-09-30/functions/{FunctionName}/concurrency', 'GetFunctionConcurrency'],
  [
    'PUT',
    '/2019-09-25/functions/{FunctionName}/event-invoke-config',
    'PutFunctionEventInvokeConfig',
  ],
  [
    'POST',
    '/2019-09-25/functions/{FunctionName}/event-invoke-config',
    'UpdateFunctionEventInvokeConfig',
  ],
  [
    'GET',
    '/2019-09-25/functions/{FunctionName}/event-invoke-config',
    'GetFunctionEventInvokeConfig',
  ],
  [
    'DELETE',
    '/2019-09-25/functions/{FunctionName}/event-invoke-config',
    'DeleteFunctionEventInvokeConfig',
  ],
  ['POST', '/2015-03-31/event-source-mappings', 'CreateEventSourceMapping'],
  ['GET', '/2015-03-31/event-source-mappings', 'ListEventSourceMappings'],
  ['GET', '/2015-03-31/event-source-mappings/{UUID}', 'GetEventSourceMapping'],
  ['PUT', '/2015-03-31/event-source-mappings/{UUID}', 'UpdateEventSourceMapping'],
  ['DELETE', '/2015-03-31/event-source-mappings/{UUID}', 'DeleteEventSourceMapping'],
];

const COMPILED = ROUTES.map(([method, pattern, operation]) => {
  const names: string[] = [];
  const source = pattern.replace(/\{(\w+)\}/g, (_m, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { method, regex: new RegExp(`^${source}/?$`), names, operation };
});

export function matchRoute(method: string, url: string): RouteMatch | undefined {
  const q = url.indexOf('?');
  const path = q >= 0 ? url.slice(0, q) : url;
  const query = new URLSearchParams(q >= 0 ? url.slice(q + 1) : '');
  for (const r of COMPILED) {
    if (r.method !== method) continue;
    const m = r.regex.exec(path);
    if (!m) continue;
    const params: Record<string, string> = {};
    r.names.forEach((n, i) => (params[n] = decodeURIComponent(m[i + 1]!)));
    return { operation: r.operation, params, query };
  }
  return undefined;
}

/** What the SDK would call an unmatched request, for the error message. */
export function describeUnmatched(method: string, url: string): string {
  return `${method} ${url.split('?')[0]}`;
}
