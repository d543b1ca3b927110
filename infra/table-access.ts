/**
 * Hand-written DynamoDB statements. CDK's table grants are broader than the
 * functions need (grantReadWriteData includes Scan, Delete and batch writes),
 * so each function lists its DynamoDB actions itself.
 *
 * No function gets cloudwatch:PutMetricData: they publish metrics as EMF in
 * their logs (functions/telemetry/emf.ts), which needs only the log
 * permissions every function has for its own log group.
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
