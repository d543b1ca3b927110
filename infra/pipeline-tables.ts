/**
 * The three DynamoDB tables, keyed exactly as functions/core/table-layout.ts
 * describes: pk (S) / sk (S) everywhere, and on the windows table the GSI
 * `byKind` (gsiPk S, gsiSk N) that lists finals and late partials.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { resourceNames } from '../functions/config';
import { WINDOWS_INDEX } from '../functions/core/table-layout';

export interface PipelineTablesProps {
  prefix: string;
}

export class PipelineTables extends Construct {
  readonly windows: dynamodb.Table;
  readonly control: dynamodb.Table;
  readonly rejects: dynamodb.Table;

  constructor(scope: Construct, id: string, props: PipelineTablesProps) {
    super(scope, id);
    const names = resourceNames(props.prefix);
    this.windows = table(this, 'Windows', names.windowsTable);
    this.windows.addGlobalSecondaryIndex({
      indexName: WINDOWS_INDEX,
      partitionKey: { name: 'gsiPk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'gsiSk', type: dynamodb.AttributeType.NUMBER },
      projectionType: dynamodb.ProjectionType.ALL,
    });
    this.control = table(this, 'Control', names.controlTable);
    this.rejects = table(this, 'Rejects', names.rejectsTable);
  }

  get all(): dynamodb.Table[] {
    return [this.windows, this.control, this.rejects];
  }
}

function table(scope: Construct, id: string, tableName: string): dynamodb.Table {
  return new dynamodb.Table(scope, id, {
    // Explicit names: every client derives them from the prefix and needs no stack outputs.
    tableName,
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
    // Load follows the stream's bursts; on-demand needs no capacity planning and costs nothing idle.
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    // KMS at rest with the AWS-managed key: explicit in the template, no key to administer.
    encryption: dynamodb.TableEncryption.AWS_MANAGED,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    // A demo stack: `cdk destroy` must leave nothing billable behind. A production
    // deployment would RETAIN these (finals are the pipeline's output).
    removalPolicy: RemovalPolicy.DESTROY,
  });
}
