/** The Lambda operations on event source mappings. */
import {
  jsonBody,
  operation,
  param,
  type OperationTable,
  type RestRequest,
} from '../api/operation-table';
import type { MappingManager } from './mapping-manager';
import type { MappingInput } from './mapping-settings';

const uuidOf = (r: RestRequest) => ({ uuid: param(r, 'UUID') });

export function mappingOperations(mappings: MappingManager): OperationTable {
  return {
    CreateEventSourceMapping: operation(jsonBody<MappingInput>, async (i) => ({
      status: 202,
      body: await mappings.create(i),
    })),
    ListEventSourceMappings: operation(
      (r) => ({
        fn: r.query.get('FunctionName') ?? undefined,
        source: r.query.get('EventSourceArn') ?? undefined,
      }),
      ({ fn, source }) => ({ body: { EventSourceMappings: mappings.list(fn, source) } }),
    ),
    GetEventSourceMapping: operation(uuidOf, ({ uuid }) => ({ body: mappings.view(uuid) })),
    UpdateEventSourceMapping: operation(
      (r) => ({ uuid: param(r, 'UUID'), input: jsonBody<MappingInput>(r) }),
      ({ uuid, input }) => ({ status: 202, body: mappings.update(uuid, input) }),
    ),
    DeleteEventSourceMapping: operation(uuidOf, async ({ uuid }) => ({
      status: 202,
      body: await mappings.delete(uuid),
    })),
  };
}
