/**
 * SSM Parameter Store at the edge (AWS JSON 1.1, X-Amz-Target
 * AmazonSSM.<Op>): Put/Get/GetParameters/GetParametersByPath/Delete/
 * DeleteParameters/DescribeParameters — what `cdk bootstrap` writes (the
 * bootstrap version), `cdk deploy` reads, and SSM-backed template parameters
 * resolve from.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CloudContext, EdgeService } from '../contracts';
import { ACCOUNT_ID } from '../config';
import { sendAwsError, sendJson, unimplementedMessage } from '../edge/aws-errors';
import { plainStatePart } from '../persistence/plain-state';
import { ParameterError, ParameterStore, type StoredParameter } from './parameter-store';

const AMZ_JSON = 'application/x-amz-json-1.1';
type Input = Record<string, unknown>;

export class SsmService implements EdgeService {
  readonly signingNames = ['ssm'] as const;

  constructor(
    private readonly ctx: CloudContext,
    readonly store = new ParameterStore(),
  ) {
    ctx.persistence?.register(plainStatePart('ssm', store.state));
  }

  private arn(name: string): string {
    return `arn:aws:ssm:${this.ctx.region}:${ACCOUNT_ID}:parameter/${name.replace(/^\//, '')}`;
  }

  private shape(p: StoredParameter) {
    return {
      Name: p.name,
      Type: p.type,
      Value: p.value,
      Version: p.version,
      LastModifiedDate: p.lastModified / 1000,
      ARN: this.arn(p.name),
      DataType: p.dataType,
    };
  }

  private readonly operations: Record<string, (i: Input) => unknown> = {
    PutParameter: (i) => {
      const p = this.store.put({
        name: String(i.Name ?? ''),
        value: String(i.Value ?? ''),
        type: i.Type as string | undefined,
        description: i.Description as string | undefined,
        overwrite: i.Overwrite === true,
      });
      return { Version: p.version, Tier: p.tier };
    },
    GetParameter: (i) => {
      const p = this.store.get(String(i.Name ?? ''));
      if (!p)
        throw new ParameterError('ParameterNotFound', `Parameter ${String(i.Name)} not found.`);
      return { Parameter: this.shape(p) };
    },
    GetParameters: (i) => {
      const names = Array.isArray(i.Names) ? i.Names.map(String) : [];
      const found = names.map((n) => this.store.get(n)).filter((p) => p !== undefined);
      return {
        Parameters: found.map((p) => this.shape(p)),
        InvalidParameters: names.filter((n) => !this.store.get(n)),
      };
    },
    GetParametersByPath: (i) => ({
      Parameters: this.store
        .byPath(String(i.Path ?? '/'), i.Recursive === true)
        .map((p) => this.shape(p)),
    }),
    DeleteParameter: (i) => {
      this.store.delete(String(i.Name ?? ''));
      return {};
    },
    DeleteParameters: (i) => {
      const names = Array.isArray(i.Names) ? i.Names.map(String) : [];
      const deleted = names.filter((n) => this.store.get(n));
      for (const n of deleted) this.store.delete(n);
      return {
        DeletedParameters: deleted,
        InvalidParameters: names.filter((n) => !deleted.includes(n)),
      };
    },
    DescribeParameters: () => ({
      Parameters: this.store.list().map((p) => ({
        Name: p.name,
        Type: p.type,
        Version: p.version,
        LastModifiedDate: p.lastModified / 1000,
        Description: p.description,
        Tier: p.tier,
        DataType: p.dataType,
        ARN: this.arn(p.name),
      })),
    }),
  };

  async handle(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
    const target = String(req.headers['x-amz-target'] ?? '');
    const op = target.slice(target.lastIndexOf('.') + 1);
    const fn = this.operations[op];
    if (!fn) {
      sendAwsError(
        res,
        'json',
        { code: 'InvalidAction', message: unimplementedMessage('ssm', op) },
        AMZ_JSON,
      );
      return;
    }
    let input: Input;
    try {
      input = body.length > 0 ? (JSON.parse(body.toString('utf8')) as Input) : {};
    } catch {
      sendAwsError(
        res,
        'json',
        { code: 'SerializationException', message: 'request body is not JSON' },
        AMZ_JSON,
      );
      return;
    }
    try {
      sendJson(res, fn(input), AMZ_JSON);
    } catch (err) {
      if (!(err instanceof ParameterError)) throw err;
      sendAwsError(res, 'json', { code: err.code, message: err.message }, AMZ_JSON);
    }
  }

  async close(): Promise<void> {}
}
