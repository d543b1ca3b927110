/**
 * Hand-written IAM statements the functions share. CDK's table grants are
 * broader than the functions need (grantReadWriteData includes Scan, Delete
 * and batch writes), so each function lists its DynamoDB actions itself.
 */
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';

/** DynamoDB item actions on exactly these tables (their indexes are not included). */
export function tableItemAccess(
  sid: string,
  actions: readonly `dynamodb:${string}`[],
  tables: readonly dynamodb.Table[],
): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid,
    actions: [...actions],
    resources: tables.map((t) => t.tableArn),
  });
}

/**
 * PutMetricData into the pipeline's own namespace only. CloudWatch has no
 * resource-level permissions for PutMetricData, so the resource is "*"; the
 * `cloudwatch:namespace` condition key is what scopes it.
 */
export function putMetricDataInNamespace(namespace: string): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'PutMetricDataOwnNamespace',
    actions: ['cloudwatch:PutMetricData'],
    resources: ['*'],
    conditions: { StringEquals: { 'cloudwatch:namespace': namespace } },
  });
}

/** The nag reason for the statement above, kept with it. */
export const PUT_METRIC_DATA_WILDCARD_REASON =
  'cloudwatch:PutMetricData supports no resource-level permissions (resource must be "*"); the statement is scoped by the cloudwatch:namespace condition to the pipeline\'s own namespace.';
