// A function written against the AWS SDK v2, which CDK bundles into the
// function (only @aws-sdk/* is left to the runtime). Its default client calls
// dynamodb.<region>.amazonaws.com: the local runtime sends that to the edge.
import DynamoDB from 'aws-sdk/clients/dynamodb';

const db = new DynamoDB.DocumentClient();

export const handler = async (event: { id: string }) => {
  await db.put({ TableName: process.env.TABLE!, Item: { id: event.id, via: 'sdk-v2' } }).promise();
  return (await db.get({ TableName: process.env.TABLE!, Key: { id: event.id } }).promise()).Item;
};
