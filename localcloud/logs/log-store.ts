/**
 * CloudWatch Logs state as plain data (serialisable as it is, for
 * --data-dir): log groups with their retention, streams with their events
 * kept in timestamp order (as GetLogEvents returns them). Pure: no HTTP.
 * A stream keeps its newest MAX_EVENTS_PER_STREAM events, so a long-running
 * local cloud stays bounded in memory.
 */

export interface LogEvent {
  timestamp: number;
  message: string;
  ingestionTime: number;
}

export interface StreamState {
  name: string;
  created: number;
  events: LogEvent[];
}

export interface GroupState {
  name: string;
  created: number;
  retentionDays?: number;
  streams: Record<string, StreamState>;
}

export interface LogsState {
  groups: Record<string, GroupState>;
}

export const MAX_EVENTS_PER_STREAM = 50_000;
const DAY_MS = 86_400_000;

export class LogsError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class LogStore {
  constructor(readonly state: LogsState = { groups: {} }) {}

  group(name: string): GroupState {
    const g = this.state.groups[name];
    if (!g)
      throw new LogsError('ResourceNotFoundException', 'The specified log group does not exist.');
    return g;
  }

  createGroup(name: string, now = Date.now()): GroupState {
    if (!/^[\w\-/.#]{1,512}$/.test(name))
      throw new LogsError('InvalidParameterException', `Invalid log group name ${name}`);
    if (this.state.groups[name])
      throw new LogsError(
        'ResourceAlreadyExistsException',
        'The specified log group already exists',
      );
    const g: GroupState = { name, created: now, streams: {} };
    this.state.groups[name] = g;
    return g;
  }

  createStream(group: string, name: string, now = Date.now()): StreamState {
    const g = this.group(group);
    if (g.streams[name])
      throw new LogsError(
        'ResourceAlreadyExistsException',
        'The specified log stream already exists',
      );
    const s: StreamState = { name, created: now, events: [] };
    g.streams[name] = s;
    return s;
  }

  stream(group: string, name: string): StreamState {
    const s = this.group(group).streams[name];
    if (!s)
      throw new LogsError('ResourceNotFoundException', 'The specified log stream does not exist.');
    return s;
  }

  /** Append events, each placed by its timestamp; group and stream made if needed (Lambda's own output). */
  append(
    group: string,
    stream: string,
    events: Array<{ timestamp: number; message: string }>,
    autoCreate: boolean,
    now = Date.now(),
  ): void {
    if (autoCreate) {
      this.state.groups[group] ??= { name: group, created: now, streams: {} };
      this.state.groups[group]!.streams[stream] ??= { name: stream, created: now, events: [] };
    }
    const s = this.stream(group, stream);
    for (const e of events) {
      const event = { timestamp: e.timestamp, message: e.message, ingestionTime: now };
      let i = s.events.length;
      while (i > 0 && s.events[i - 1]!.timestamp > e.timestamp) i--;
      s.events.splice(i, 0, event);
    }
    if (s.events.length > MAX_EVENTS_PER_STREAM)
      s.events.splice(0, s.events.length - MAX_EVENTS_PER_STREAM);
  }

  /** A group's events still within its retention. */
  live(g: GroupState, events: LogEvent[], now = Date.now()): LogEvent[] {
    if (g.retentionDays === undefined) return events;
    const oldest = now - g.retentionDays * DAY_MS;
    return events.filter((e) => e.timestamp >= oldest);
  }
}
