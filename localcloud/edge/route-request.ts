/**
 * Which service a request is for, decided from the request alone (pure):
 * the SigV4 signing name in the Authorization header's credential scope (or
 * a presigned URL's X-Amz-Credential), then X-Amz-Target prefixes, then the
 * query protocol's Action= for clients that did not sign, then REST paths.
 * Signatures are not verified (like LocalStack).
 */

export type WireProtocol = 'json' | 'query' | 'rest';

export interface RouteDecision {
  /** SigV4 signing name, e.g. 'kinesis', 'dynamodb', 'monitoring', 'sqs', 'lambda'; undefined when unknown. */
  service?: string;
  /** Operation name when it can be read from the request (X-Amz-Target or Action=). */
  operation?: string;
  protocol: WireProtocol;
}

const TARGET_PREFIXES: Record<string, string> = {
  Kinesis_20131202: 'kinesis',
  DynamoDB_20120810: 'dynamodb',
  DynamoDBStreams_20120810: 'dynamodb',
  GraniteServiceVersion20100801: 'monitoring',
  AmazonSQS: 'sqs',
  AWSEvents: 'events',
  AWSScheduler: 'scheduler',
  Logs_20140328: 'logs',
  AmazonSSM: 'ssm',
  AWSStepFunctions: 'states',
};

/** Query-protocol API versions of the services that speak it here. */
const QUERY_VERSIONS: Record<string, string> = {
  '2010-08-01': 'monitoring',
  '2012-11-05': 'sqs',
  '2010-05-15': 'cloudformation',
  '2011-06-15': 'sts',
  '2010-05-08': 'iam',
};

const SQS_QUERY_ACTIONS = new Set([
  'CreateQueue',
  'GetQueueUrl',
  'GetQueueAttributes',
  'SetQueueAttributes',
  'ListQueues',
  'SendMessage',
  'SendMessageBatch',
  'ReceiveMessage',
  'DeleteMessage',
  'DeleteMessageBatch',
  'PurgeQueue',
  'DeleteQueue',
  'ChangeMessageVisibility',
  'ChangeMessageVisibilityBatch',
  'TagQueue',
  'UntagQueue',
  'ListQueueTags',
]);

export function signingNameFromAuthorization(
  authorization: string | undefined,
): string | undefined {
  if (!authorization) return undefined;
  const m = /Credential=[^/,\s]+\/\d{8}\/[^/,\s]+\/([^/,\s]+)\/aws4_request/.exec(authorization);
  return m?.[1];
}

function signingNameFromUrl(url: string): string | undefined {
  const q = url.indexOf('?');
  if (q < 0) return undefined;
  const cred = new URLSearchParams(url.slice(q + 1)).get('X-Amz-Credential');
  const parts = cred?.split('/');
  return parts && parts.length >= 5 ? parts[3] : undefined;
}

export function isFormEncoded(contentType: string | undefined): boolean {
  return (contentType ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded');
}

export function routeRequest(
  method: string,
  url: string,
  headers: Record<string, string | string[] | undefined>,
  body: Buffer,
): RouteDecision {
  const header = (name: string): string | undefined => {
    const v = headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  const target = header('x-amz-target');
  let operation: string | undefined;
  let protocol: WireProtocol = 'rest';
  let byTarget: string | undefined;
  if (target) {
    const dot = target.lastIndexOf('.');
    operation = dot >= 0 ? target.slice(dot + 1) : target;
    byTarget = TARGET_PREFIXES[dot >= 0 ? target.slice(0, dot) : target];
    protocol = 'json';
  }
  let byQuery: string | undefined;
  if (!target && method === 'POST' && isFormEncoded(header('content-type'))) {
    const form = new URLSearchParams(body.toString('utf8'));
    const action = form.get('Action') ?? undefined;
    if (action) {
      operation = action;
      protocol = 'query';
      const version = form.get('Version') ?? '';
      byQuery = QUERY_VERSIONS[version] ?? (SQS_QUERY_ACTIONS.has(action) ? 'sqs' : 'monitoring');
    }
  } else if (!target && method === 'GET' && url.includes('Action=')) {
    const params = new URLSearchParams(url.slice(url.indexOf('?') + 1));
    operation = params.get('Action') ?? undefined;
    protocol = 'query';
    byQuery =
      QUERY_VERSIONS[params.get('Version') ?? ''] ??
      (operation && SQS_QUERY_ACTIONS.has(operation) ? 'sqs' : 'monitoring');
  }
  const byPath =
    /^\/\d{4}-\d{2}-\d{2}\/(functions|event-source-mappings|tags|account-settings)/.test(url)
      ? 'lambda'
      : undefined;
  const service =
    signingNameFromAuthorization(header('authorization')) ??
    signingNameFromUrl(url) ??
    byTarget ??
    byQuery ??
    byPath;
  return { service, operation, protocol };
}
