/**
 * SSM Parameter Store state as plain data (serialisable as it is, for
 * --data-dir): parameters by name with their version history's latest value.
 * Pure: no I/O; the service and the CloudFormation engine (SSM-backed
 * template parameters) read it in process.
 */

export interface StoredParameter {
  name: string;
  type: 'String' | 'StringList' | 'SecureString';
  value: string;
  version: number;
  description?: string;
  tier: string;
  dataType: string;
  /** epoch ms */
  lastModified: number;
}

export interface ParameterState {
  parameters: Record<string, StoredParameter>;
}

export class ParameterError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** AWS: names are at most 1011 characters of [a-zA-Z0-9_.-/]; a path has at most 15 levels. */
const NAME = /^\/?[\w.\-/]{1,1011}$/;
const MAX_VALUE_BYTES = 4096;

export class ParameterStore {
  constructor(readonly state: ParameterState = { parameters: {} }) {}

  get(name: string): StoredParameter | undefined {
    return this.state.parameters[normal(name)];
  }

  put(
    input: {
      name: string;
      value: string;
      type?: string;
      description?: string;
      overwrite?: boolean;
    },
    now = Date.now(),
  ): StoredParameter {
    const name = normal(input.name);
    if (
      !NAME.test(name) ||
      name.toLowerCase().startsWith('/aws') ||
      name.toLowerCase().startsWith('aws')
    )
      throw new ParameterError('ValidationException', `Parameter name ${input.name} is not valid`);
    if (Buffer.byteLength(input.value) > MAX_VALUE_BYTES)
      throw new ParameterError(
        'ValidationException',
        `Parameter value is longer than ${MAX_VALUE_BYTES} bytes (Standard tier)`,
      );
    const existing = this.state.parameters[name];
    if (existing && !input.overwrite)
      throw new ParameterError(
        'ParameterAlreadyExists',
        'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.',
      );
    const type = (input.type ?? existing?.type ?? 'String') as StoredParameter['type'];
    if (!['String', 'StringList', 'SecureString'].includes(type))
      throw new ParameterError(
        'ValidationException',
        `Type ${type} is not String, StringList or SecureString`,
      );
    const p: StoredParameter = {
      name,
      type,
      value: input.value,
      version: (existing?.version ?? 0) + 1,
      description: input.description ?? existing?.description,
      tier: 'Standard',
      dataType: 'text',
      lastModified: now,
    };
    this.state.parameters[name] = p;
    return p;
  }

  delete(name: string): void {
    const key = normal(name);
    if (!this.state.parameters[key])
      throw new ParameterError('ParameterNotFound', `Parameter ${name} not found.`);
    delete this.state.parameters[key];
  }

  /** Parameters under a path (one level, or all below with recursive). */
  byPath(path: string, recursive: boolean): StoredParameter[] {
    const prefix = path.endsWith('/') ? path : `${path}/`;
    return Object.values(this.state.parameters)
      .filter(
        (p) =>
          p.name.startsWith(prefix) && (recursive || !p.name.slice(prefix.length).includes('/')),
      )
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  list(): StoredParameter[] {
    return Object.values(this.state.parameters).sort((a, b) => a.name.localeCompare(b.name));
  }
}

/** "name:version" selectors are answered with the latest version's value (history is not kept). */
function normal(name: string): string {
  return name.replace(/:\d+$/, '');
}
