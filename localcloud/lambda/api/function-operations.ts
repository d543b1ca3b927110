/**
 * The Lambda operations on functions: CRUD, reserved concurrency,
 * permissions (accepted: no IAM here) and async-invoke settings.
 */
import { randomUUID } from 'node:crypto';
import type { AsyncInvoker, AsyncConfig } from './async-invoker';
import type { CodeInput } from './code-source';
import { notFound } from './errors';
import { functionConfiguration } from './function-definition';
import type { FunctionRegistry } from './function-registry';
import type { FunctionInput } from './function-settings';
import {
  jsonBody,
  operation,
  param,
  type OperationTable,
  type RestRequest,
} from './operation-table';

export interface FunctionOperationDeps {
  functions: FunctionRegistry;
  asyncInvoker: AsyncInvoker;
  /** after a function is gone: its mappings stop */
  onDeleted: (name: string) => Promise<void>;
}

interface PermissionInput {
  StatementId?: unknown;
  Action?: unknown;
  Principal?: unknown;
}

interface EventInvokeConfigInput {
  MaximumRetryAttempts?: unknown;
  MaximumEventAgeInSeconds?: unknown;
}

const named = (r: RestRequest) => ({ name: param(r, 'FunctionName') });
const withBody =
  <T extends object>() =>
  (r: RestRequest) => ({ name: param(r, 'FunctionName'), input: jsonBody<T>(r) });

function asyncConfigOf(i: EventInvokeConfigInput): AsyncConfig {
  return {
    ...(i.MaximumRetryAttempts !== undefined
      ? { MaximumRetryAttempts: Number(i.MaximumRetryAttempts) }
      : {}),
    ...(i.MaximumEventAgeInSeconds !== undefined
      ? { MaximumEventAgeInSeconds: Number(i.MaximumEventAgeInSeconds) }
      : {}),
  };
}

function crudOperations({ functions, onDeleted }: FunctionOperationDeps): OperationTable {
  return {
    CreateFunction: operation(jsonBody<FunctionInput>, (i) => ({
      status: 201,
      body: functionConfiguration(functions.create(i)),
    })),
    ListFunctions: operation(
      () => ({}),
      () => ({ body: { Functions: functions.list().map(functionConfiguration) } }),
    ),
    GetFunction: operation(named, ({ name }) => {
      const f = functions.get(name);
      return {
        body: {
          Configuration: functionConfiguration(f),
          Code: { RepositoryType: 'S3', Location: functions.codeLocation(f) },
          ...(f.reserved !== undefined
            ? { Concurrency: { ReservedConcurrentExecutions: f.reserved } }
            : {}),
        },
      };
    }),
    GetFunctionConfiguration: operation(named, ({ name }) => ({
      body: functionConfiguration(functions.get(name)),
    })),
    DeleteFunction: operation(named, async ({ name }) => {
      const f = functions.delete(name);
      await onDeleted(f.name);
      return { status: 204 };
    }),
    UpdateFunctionCode: operation(withBody<CodeInput>(), ({ name, input }) => ({
      body: functionConfiguration(functions.updateCode(name, input)),
    })),
    UpdateFunctionConfiguration: operation(withBody<FunctionInput>(), ({ name, input }) => ({
      body: functionConfiguration(functions.updateConfiguration(name, input)),
    })),
  };
}

/** Permissions are accepted and answered in AWS's shapes; there is no IAM here. */
function permissionOperations({ functions }: FunctionOperationDeps): OperationTable {
  return {
    AddPermission: operation(withBody<PermissionInput>(), ({ name, input }) => {
      functions.get(name);
      const statement = {
        Sid: input.StatementId,
        Effect: 'Allow',
        Action: input.Action,
        Principal: input.Principal,
      };
      return { status: 201, body: { Statement: JSON.stringify(statement) } };
    }),
    GetPolicy: operation(named, ({ name }) => {
      functions.get(name);
      return {
        body: {
          Policy: JSON.stringify({ Version: '2012-10-17', Statement: [] }),
          RevisionId: randomUUID(),
        },
      };
    }),
    RemovePermission: operation(named, ({ name }) => {
      functions.get(name);
      return { status: 204 };
    }),
  };
}

function concurrencyOperations({ functions }: FunctionOperationDeps): OperationTable {
  return {
    PutFunctionConcurrency: operation(
      withBody<{ ReservedConcurrentExecutions?: unknown }>(),
      ({ name, input }) => ({
        body: {
          ReservedConcurrentExecutions: functions.putConcurrency(
            name,
            input.ReservedConcurrentExecutions,
          ),
        },
      }),
    ),
    DeleteFunctionConcurrency: operation(named, ({ name }) => {
      functions.deleteConcurrency(name);
      return { status: 204 };
    }),
    GetFunctionConcurrency: operation(named, ({ name }) => {
      const f = functions.get(name);
      return {
        body: f.reserved !== undefined ? { ReservedConcurrentExecutions: f.reserved } : {},
      };
    }),
  };
}

function invokeConfigOperations({
  functions,
  asyncInvoker,
}: FunctionOperationDeps): OperationTable {
  const put = (merge: boolean) =>
    operation(withBody<EventInvokeConfigInput>(), ({ name, input }) => {
      const f = functions.get(name);
      const cfg = asyncInvoker.setConfig(f.name, asyncConfigOf(input), merge);
      return { body: { FunctionArn: f.arn, ...cfg, LastModified: Date.now() / 1000 } };
    });
  return {
    PutFunctionEventInvokeConfig: put(false),
    UpdateFunctionEventInvokeConfig: put(true),
    GetFunctionEventInvokeConfig: operation(named, ({ name }) => {
      const f = functions.get(name);
      const cfg = asyncInvoker.config(f.name);
      if (!cfg) throw notFound(`The function ${f.arn} doesn't have an EventInvokeConfig`);
      return { body: { FunctionArn: f.arn, ...cfg } };
    }),
    DeleteFunctionEventInvokeConfig: operation(named, ({ name }) => {
      asyncInvoker.deleteConfig(functions.get(name).name);
      return { status: 204 };
    }),
  };
}

export function functionOperations(d: FunctionOperationDeps): OperationTable {
  return {
    ...crudOperations(d),
    ...permissionOperations(d),
    ...concurrencyOperations(d),
    ...invokeConfigOperations(d),
  };
}
