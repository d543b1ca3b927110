/**
 * A real DynamoDB emulator (dynalite, in memory) on a free loopback port for
 * tests, and the project's tables created in it.
 */
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { dynamoClient } from '../../functions/aws/clients';
import { tableDefinitions } from '../../functions/store/table-definitions';

export interface Dynalite {
  endpoint: string;
  stop(): Promise<void>;
}

export async function startDynalite(): Promise<Dynalite> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 }) as ReturnType<
    typeof createServer
  >;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Test credentials so the SDK never looks for real ones. */
export function testClientEnv(): void {
  process.env.AWS_ACCESS_KEY_ID ??= 'test';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
  process.env.AWS_REGION ??= 'us-east-1';
}

export async function createTables(endpoint: string, prefix: string): Promise<void> {
  testClientEnv();
  const client = dynamoClient({ endpoint, region: 'us-east-1' });
  try {
    for (const def of Object.values(tableDefinitions(prefix))) {
      await client.send(new CreateTableCommand(def));
    }
  } finally {
    client.destroy();
  }
}
