/**
 * STS at the edge (query protocol): GetCallerIdentity, AssumeRole,
 * GetSessionToken — what `cdk bootstrap` / `cdk deploy` ask before anything
 * else (the account, then the cdk-* roles). Credentials are not checked, as
 * in LocalStack: every caller is the account's root, and an assumed role's
 * session is recorded only in the answer's ARN.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EdgeService } from '../contracts';
import { ACCOUNT_ID } from '../config';
import { sendAwsError, unimplementedMessage } from '../edge/aws-errors';
import { decodeQueryForm, queryResponse, toNumber, toXml } from '../edge/query-protocol';

const XMLNS = 'https://sts.amazonaws.com/doc/2011-06-15/';
/** AssumeRole's default and longest session (AWS: 1 h default, 12 h at most). */
const DEFAULT_SESSION_SECONDS = 3600;
const MAX_SESSION_SECONDS = 43_200;

type Input = Record<string, unknown>;

function credentials(seconds: number) {
  return {
    AccessKeyId: `ASIA${randomBytes(8).toString('hex').toUpperCase()}`,
    SecretAccessKey: randomBytes(30).toString('base64'),
    SessionToken: randomBytes(48).toString('base64'),
    Expiration: new Date(Date.now() + seconds * 1000).toISOString(),
  };
}

class StsError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Pure: one STS operation's result (the XML's <OpResult> content as an object). */
export function stsOperation(action: string, i: Input): Record<string, unknown> | undefined {
  switch (action) {
    case 'GetCallerIdentity':
      return { UserId: ACCOUNT_ID, Account: ACCOUNT_ID, Arn: `arn:aws:iam::${ACCOUNT_ID}:root` };
    case 'AssumeRole': {
      const roleArn = String(i.RoleArn ?? '');
      const session = String(i.RoleSessionName ?? '');
      const m = /^arn:[\w-]+:iam::(\d{12}):role\/(?:.*\/)?([\w+=,.@-]+)$/.exec(roleArn);
      if (!m) throw new StsError('ValidationError', `${roleArn} is not a valid role ARN`);
      if (!/^[\w+=,.@-]{2,64}$/.test(session))
        throw new StsError(
          'ValidationError',
          'RoleSessionName must be 2-64 characters of [\\w+=,.@-]',
        );
      const seconds = toNumber(i.DurationSeconds) ?? DEFAULT_SESSION_SECONDS;
      if (seconds < 900 || seconds > MAX_SESSION_SECONDS)
        throw new StsError('ValidationError', 'DurationSeconds must be between 900 and 43200');
      const roleId = `AROA${Buffer.from(roleArn).toString('hex').slice(0, 17).toUpperCase()}`;
      return {
        Credentials: credentials(seconds),
        AssumedRoleUser: {
          AssumedRoleId: `${roleId}:${session}`,
          Arn: `arn:aws:sts::${m[1]}:assumed-role/${m[2]}/${session}`,
        },
        PackedPolicySize: 0,
      };
    }
    case 'GetSessionToken':
      return { Credentials: credentials(toNumber(i.DurationSeconds) ?? MAX_SESSION_SECONDS) };
    default:
      return undefined;
  }
}

export class StsService implements EdgeService {
  readonly signingNames = ['sts'] as const;

  async handle(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
    const text =
      req.method === 'GET'
        ? (req.url ?? '').slice((req.url ?? '').indexOf('?') + 1)
        : body.toString('utf8');
    const { action, params } = decodeQueryForm(text);
    try {
      const result = stsOperation(action, params);
      if (result === undefined) {
        sendAwsError(res, 'query', {
          code: 'InvalidAction',
          message: unimplementedMessage('sts', action),
          xmlNamespace: XMLNS,
        });
        return;
      }
      const xml = queryResponse(action, XMLNS, toXml(result));
      res.writeHead(200, { 'Content-Type': 'text/xml', 'Content-Length': Buffer.byteLength(xml) });
      res.end(xml);
    } catch (err) {
      if (!(err instanceof StsError)) throw err;
      sendAwsError(res, 'query', { code: err.code, message: err.message, xmlNamespace: XMLNS });
    }
  }

  async close(): Promise<void> {}
}
