// A plain function (log-group and unsupported-output apps): says where it logs.
import type { Context } from 'aws-lambda';

export const handler = async (_event: unknown, context: Context) => {
  console.log('hello from', context.functionName);
  return { logGroup: context.logGroupName, function: context.functionName };
};
