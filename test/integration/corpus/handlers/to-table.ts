// Kinesis consumer writing every record to a table with default SDK v3 clients
// (the SDK is not bundled: the Lambda runtime provides it). A record whose
// data is {"poison": true} fails: with REPORT_FAILURES it is reported as a
// batch item failure, else the batch throws.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { KinesisStreamEvent, KinesisStreamBatchResponse } from 'aws-lambda';

const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));

export const handler = async (event: KinesisStreamEvent): Promise<KinesisStreamBatchResponse> => {
  for (const r of event.Records) {
    const body = JSON.parse(Buffer.from(r.kinesis.data, 'base64').toString('utf8')) as {
      id: string;
      poison?: boolean;
    };
    if (body.poison) {
      if (process.env.REPORT_FAILURES)
        return { batchItemFailures: [{ itemIdentifier: r.kinesis.sequenceNumber }] };
      throw new Error(`poison record ${body.id}`);
    }
    await doc.send(
      new PutCommand({
        TableName: process.env.TABLE,
        Item: { id: body.id, source: r.eventSourceARN, via: process.env.VIA ?? 'kinesis' },
      }),
    );
  }
  return { batchItemFailures: [] };
};
