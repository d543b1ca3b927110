/**
 * What deploy:local knows about each CloudFormation resource type: whether
 * it is created on the local cloud ("emulated") or only accepted, which
 * property names it, and what its Ref and Fn::GetAtt values are, as AWS
 * forms them. Names a template leaves open are generated the way
 * CloudFormation does (stack-logicalId-suffix), but deterministically, so a
 * second deploy finds the same resource.
 */
import { createHash } from 'node:crypto';
import type { Json } from './template';

export interface Place {
  region: string;
  accountId: string;
  partition: string;
  stackName: string;
  /** Edge endpoint, for SQS queue URLs. */
  endpoint: string;
}

interface TypeInfo {
  /** Property holding an explicit physical name. */
  nameProperty?: string;
  /** Longest name the service accepts (generated names are cut to fit). */
  maxName: number;
  /** Ref value, from the physical name. */
  ref?: (name: string, p: Place) => string;
  /** Fn::GetAtt values known from the name (more may come from the live resource). */
  attrs?: (name: string, p: Place, props: Record<string, Json>) => Record<string, Json>;
  /** The Ref is an id only the service assigns (e.g. a mapping's UUID). */
  refAssignedByService?: boolean;
  /** Generated names are lower case (S3 buckets, ECR repositories). */
  lowercase?: boolean;
}

const arn = (p: Place, service: string, resource: string, region = p.region) =>
  `arn:${p.partition}:${service}:${region}:${p.accountId}:${resource}`;

const TABLE: TypeInfo = {
  nameProperty: 'TableName',
  maxName: 255,
  attrs: (n, p) => ({ Arn: arn(p, 'dynamodb', `table/${n}`) }),
};

/** Types deploy:local creates on the local cloud, in the order a reader meets them in the docs. */
export const EMULATED_TYPES: Record<string, TypeInfo> = {
  'AWS::Kinesis::Stream': {
    nameProperty: 'Name',
    maxName: 128,
    attrs: (n, p) => ({ Arn: arn(p, 'kinesis', `stream/${n}`) }),
  },
  // Registered by the applier; the predicted ARN (a stable timestamp per name) is replaced by the live one.
  'AWS::Kinesis::StreamConsumer': {
    nameProperty: 'ConsumerName',
    maxName: 128,
    ref: (n, _p) => n,
    attrs: (n, _p, props) => {
      const created = 1_700_000_000 + (parseInt(digest(n, 6), 16) % 10_000_000);
      const consumerArn = `${String(props.StreamARN)}/consumer/${n}:${created}`;
      return {
        ConsumerARN: consumerArn,
        ConsumerName: n,
        StreamARN: String(props.StreamARN),
        ConsumerStatus: 'ACTIVE',
        ConsumerCreationTimestamp: new Date(created * 1000).toISOString(),
      };
    },
  },
  'AWS::DynamoDB::Table': TABLE,
  // CDK's TableV2: its replica in this region, as a table (appliers/dynamodb.ts).
  'AWS::DynamoDB::GlobalTable': {
    ...TABLE,
    attrs: (n, p, props) => ({ ...TABLE.attrs!(n, p, props), TableId: uuidOf(n) }),
  },
  'AWS::SQS::Queue': {
    nameProperty: 'QueueName',
    maxName: 80,
    ref: (n, p) => queueUrl(n, p),
    attrs: (n, p) => ({ Arn: arn(p, 'sqs', n), QueueName: n, QueueUrl: queueUrl(n, p) }),
  },
  'AWS::Lambda::Function': {
    nameProperty: 'FunctionName',
    maxName: 64,
    attrs: (n, p) => ({ Arn: arn(p, 'lambda', `function:${n}`) }),
  },
  'AWS::Lambda::EventSourceMapping': {
    maxName: 36,
    refAssignedByService: true,
  },
  'AWS::Lambda::EventInvokeConfig': { maxName: 64 },
  'AWS::Events::Rule': {
    nameProperty: 'Name',
    maxName: 64,
    attrs: (n, p) => ({ Arn: arn(p, 'events', `rule/${n}`) }),
  },
  'AWS::CloudWatch::Dashboard': { nameProperty: 'DashboardName', maxName: 255 },
  'AWS::CloudWatch::Alarm': {
    nameProperty: 'AlarmName',
    maxName: 255,
    attrs: (n, p) => ({ Arn: arn(p, 'cloudwatch', `alarm:${n}`) }),
  },
  'AWS::S3::Bucket': {
    nameProperty: 'BucketName',
    maxName: 63,
    lowercase: true,
    attrs: (n, p) => ({
      Arn: `arn:${p.partition}:s3:::${n}`,
      DomainName: `${n}.s3.amazonaws.com`,
      RegionalDomainName: `${n}.s3.${p.region}.amazonaws.com`,
      DualStackDomainName: `${n}.s3.dualstack.${p.region}.amazonaws.com`,
      WebsiteURL: `http://${n}.s3-website-${p.region}.amazonaws.com`,
    }),
  },
  'AWS::S3::BucketPolicy': { maxName: 64 },
  'AWS::SSM::Parameter': { nameProperty: 'Name', maxName: 1011 },
  'AWS::Logs::LogGroup': {
    nameProperty: 'LogGroupName',
    maxName: 512,
    attrs: (n, p) => ({ Arn: arn(p, 'logs', `log-group:${n}:*`) }),
  },
  // CDK's log-retention custom resource: what its Lambda would do (retention on a group), done directly.
  'Custom::LogRetention': { nameProperty: 'LogGroupName', maxName: 512 },
};

/** Types accepted without emulation: their names and ARNs are formed so references to them resolve. */
export const ACCEPTED_TYPES: Record<string, TypeInfo> = {
  'AWS::IAM::Role': {
    nameProperty: 'RoleName',
    maxName: 64,
    attrs: (n, p, props) => ({
      Arn: `arn:${p.partition}:iam::${p.accountId}:role${typeof props.Path === 'string' ? props.Path : '/'}${n}`,
      RoleId: `AROA${digest(n, 17)}`,
    }),
  },
  'AWS::IAM::Policy': { nameProperty: 'PolicyName', maxName: 128 },
  'AWS::IAM::ManagedPolicy': {
    nameProperty: 'ManagedPolicyName',
    maxName: 128,
    ref: (n, p) => `arn:${p.partition}:iam::${p.accountId}:policy/${n}`,
  },
  'AWS::Lambda::Permission': { maxName: 64 },
  'AWS::IAM::InstanceProfile': { nameProperty: 'InstanceProfileName', maxName: 128 },
  'AWS::KMS::Key': {
    maxName: 64,
    ref: (n) => uuidOf(n),
    attrs: (n, p) => ({ Arn: arn(p, 'kms', `key/${uuidOf(n)}`), KeyId: uuidOf(n) }),
  },
  'AWS::KMS::Alias': { nameProperty: 'AliasName', maxName: 256 },
  'AWS::ECR::Repository': {
    nameProperty: 'RepositoryName',
    maxName: 256,
    lowercase: true,
    attrs: (n, p) => ({
      Arn: arn(p, 'ecr', `repository/${n}`),
      RepositoryUri: `${p.accountId}.dkr.ecr.${p.region}.amazonaws.com/${n}`,
    }),
  },
  'AWS::SQS::QueuePolicy': { maxName: 64 },
  'AWS::CDK::Metadata': { maxName: 64 },
};

/** emulated: created and run; accepted: recorded (nothing to run locally); unsupported: recorded, with a warning. */
export type Handling = 'emulated' | 'accepted' | 'unsupported';

/** Custom resources run their ServiceToken's function (appliers/custom-resource.ts). */
export const isCustomResourceType = (type: string): boolean =>
  type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource';

export function handlingOf(type: string): Handling {
  if (type in EMULATED_TYPES || isCustomResourceType(type)) return 'emulated';
  return type in ACCEPTED_TYPES ? 'accepted' : 'unsupported';
}

/** A deterministic UUID-shaped id (a KMS key id) from a name. */
function uuidOf(name: string): string {
  const h = digest(name, 32).toLowerCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

function typeInfo(type: string): TypeInfo {
  return EMULATED_TYPES[type] ?? ACCEPTED_TYPES[type] ?? { maxName: 64 };
}

function digest(text: string, length: number): string {
  return createHash('sha256').update(text).digest('hex').toUpperCase().slice(0, length);
}

function queueUrl(name: string, p: Place): string {
  return `${p.endpoint.replace(/\/$/, '')}/${p.accountId}/${name}`;
}

/**
 * Physical name: the explicit name property if the template gives a string,
 * else `<stack>-<logicalId>-<12 chars>` cut to the service's limit (stable for
 * the same stack and logical id, as CloudFormation's is for a stack's life).
 */
export function physicalName(
  type: string,
  logicalId: string,
  props: Record<string, Json>,
  p: Place,
): string {
  const info = typeInfo(type);
  const explicit = info.nameProperty ? props[info.nameProperty] : undefined;
  if (typeof explicit === 'string' && explicit.length > 0) return explicit;
  const suffix = digest(`${p.stackName}/${logicalId}`, 12);
  const fifo = type === 'AWS::SQS::Queue' && props.FifoQueue === true ? '.fifo' : '';
  const room = info.maxName - suffix.length - fifo.length - 2;
  const stem = `${p.stackName}-${logicalId}`.slice(0, Math.max(1, room));
  const name = `${stem}-${suffix}${fifo}`;
  return info.lowercase ? name.toLowerCase() : name;
}

/**
 * Ref and Fn::GetAtt values as far as the name decides them. `ref` is
 * undefined when only the service can assign it.
 */
export function predictedValues(
  type: string,
  name: string,
  props: Record<string, Json>,
  p: Place,
): { ref?: string; attrs: Record<string, Json> } {
  const info = typeInfo(type);
  const attrs = info.attrs?.(name, p, props) ?? {};
  if (info.refAssignedByService) return { attrs };
  return { ref: info.ref ? info.ref(name, p) : name, attrs };
}
