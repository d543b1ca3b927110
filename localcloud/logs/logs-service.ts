/**
 * CloudWatch Logs at the edge (AWS JSON 1.1, X-Amz-Target
 * Logs_20140328.<Op>): log groups and streams, PutLogEvents, GetLogEvents,
 * FilterLogEvents with filter patterns (what `aws logs tail [--follow]`
 * polls), retention, deletes. Lambda functions' output arrives through the
 * LogSink (putLogLine) under /aws/lambda/<function>, as in AWS.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CloudContext, EdgeService, LogSink } from '../contracts';
import { ACCOUNT_ID, PERSISTENCE } from '../config';
import { sendAwsError, sendJson, unimplementedMessage } from '../edge/aws-errors';
import { compileFilter } from './filter-pattern';
import { plainStatePart } from '../persistence/plain-state';
import { LogStore, LogsError, type GroupState, type LogEvent } from './log-store';

const AMZ_JSON = 'application/x-amz-json-1.1';
const RETENTION_DAYS = new Set([
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
  3653,
]);
const PAGE = 10_000;
type Input = Record<string, unknown>;

export class LogsService implements EdgeService, LogSink {
  readonly signingNames = ['logs'] as const;

  constructor(
    private readonly ctx: CloudContext,
    readonly store = new LogStore(),
  ) {
    ctx.persistence?.register(
      plainStatePart('logs', store.state, { intervalMs: PERSISTENCE.largePartIntervalMs }),
    );
  }

  putLogLine(group: string, stream: string, message: string, timestamp = Date.now()): void {
    this.store.append(group, stream, [{ timestamp, message }], true);
  }

  private arn(group: string): string {
    return `arn:aws:logs:${this.ctx.region}:${ACCOUNT_ID}:log-group:${group}`;
  }

  private groupView(g: GroupState) {
    const stored = Object.values(g.streams).reduce(
      (n, s) => n + s.events.reduce((b, e) => b + e.message.length, 0),
      0,
    );
    return {
      logGroupName: g.name,
      creationTime: g.created,
      ...(g.retentionDays !== undefined ? { retentionInDays: g.retentionDays } : {}),
      metricFilterCount: 0,
      arn: `${this.arn(g.name)}:*`,
      logGroupArn: this.arn(g.name),
      storedBytes: stored,
      logGroupClass: 'STANDARD',
    };
  }

  private readonly operations: Record<string, (i: Input) => unknown> = {
    CreateLogGroup: (i) => (this.store.createGroup(String(i.logGroupName ?? '')), {}),
    CreateLogStream: (i) => (
      this.store.createStream(String(i.logGroupName), String(i.logStreamName ?? '')),
      {}
    ),
    DeleteLogGroup: (i) => {
      this.store.group(String(i.logGroupName));
      delete this.store.state.groups[String(i.logGroupName)];
      return {};
    },
    DeleteLogStream: (i) => {
      this.store.stream(String(i.logGroupName), String(i.logStreamName));
      delete this.store.group(String(i.logGroupName)).streams[String(i.logStreamName)];
      return {};
    },
    PutRetentionPolicy: (i) => {
      const days = Number(i.retentionInDays);
      if (!RETENTION_DAYS.has(days))
        throw new LogsError(
          'InvalidParameterException',
          `1 validation error detected: Value '${days}' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [${[...RETENTION_DAYS].join(', ')}]`,
        );
      this.store.group(String(i.logGroupName)).retentionDays = days;
      return {};
    },
    DeleteRetentionPolicy: (i) => (
      delete this.store.group(String(i.logGroupName)).retentionDays,
      {}
    ),
    DescribeLogGroups: (i) => {
      const prefix = String(i.logGroupNamePrefix ?? '');
      const pattern =
        i.logGroupNamePattern === undefined ? undefined : String(i.logGroupNamePattern);
      const groups = Object.values(this.store.state.groups)
        .filter(
          (g) => g.name.startsWith(prefix) && (pattern === undefined || g.name.includes(pattern)),
        )
        .sort((a, b) => a.name.localeCompare(b.name));
      return { logGroups: groups.map((g) => this.groupView(g)) };
    },
    DescribeLogStreams: (i) => {
      const g = this.store.group(String(i.logGroupName));
      const prefix = String(i.logStreamNamePrefix ?? '');
      const byTime = i.orderBy === 'LastEventTime';
      const streams = Object.values(g.streams).filter((s) => s.name.startsWith(prefix));
      const last = (s: (typeof streams)[number]) => s.events.at(-1)?.timestamp ?? 0;
      streams.sort((a, b) => (byTime ? last(a) - last(b) : a.name.localeCompare(b.name)));
      if (i.descending === true) streams.reverse();
      return {
        logStreams: streams.map((s) => ({
          logStreamName: s.name,
          creationTime: s.created,
          ...(s.events.length > 0
            ? {
                firstEventTimestamp: s.events[0]!.timestamp,
                lastEventTimestamp: last(s),
                lastIngestionTime: s.events.at(-1)!.ingestionTime,
              }
            : {}),
          arn: `${this.arn(g.name)}:log-stream:${s.name}`,
          storedBytes: 0,
        })),
      };
    },
    PutLogEvents: (i) => {
      const events = (Array.isArray(i.logEvents) ? i.logEvents : []) as Array<{
        timestamp: number;
        message: string;
      }>;
      this.store.append(String(i.logGroupName), String(i.logStreamName), events, false);
      return { nextSequenceToken: String(Date.now()) };
    },
    GetLogEvents: (i) => this.getLogEvents(i),
    FilterLogEvents: (i) => this.filterLogEvents(i),
    ListTagsLogGroup: () => ({ tags: {} }),
    ListTagsForResource: () => ({ tags: {} }),
    TagLogGroup: () => ({}),
    TagResource: () => ({}),
  };

  private getLogEvents(i: Input) {
    const g = this.store.group(String(i.logGroupName));
    const s = this.store.stream(String(i.logGroupName), String(i.logStreamName));
    const inRange = this.store.live(g, s.events).filter(timeRange(i));
    const limit = Math.min(Number(i.limit ?? PAGE) || PAGE, PAGE);
    const token = typeof i.nextToken === 'string' ? i.nextToken : undefined;
    const fromHead = i.startFromHead === true || token?.startsWith('f/');
    const at = token ? Number(token.slice(2)) : fromHead ? 0 : inRange.length;
    const [start, end] =
      token?.startsWith('b/') || (!token && !fromHead)
        ? [Math.max(0, at - limit), at]
        : [at, Math.min(inRange.length, at + limit)];
    return {
      events: inRange.slice(start, end).map(view),
      nextForwardToken: `f/${end}`,
      nextBackwardToken: `b/${start}`,
    };
  }

  private filterLogEvents(i: Input) {
    const g = this.store.group(String(i.logGroupName));
    const names = Array.isArray(i.logStreamNames) ? i.logStreamNames.map(String) : undefined;
    const prefix = typeof i.logStreamNamePrefix === 'string' ? i.logStreamNamePrefix : '';
    let filter;
    try {
      filter = compileFilter(typeof i.filterPattern === 'string' ? i.filterPattern : undefined);
    } catch (err) {
      throw new LogsError('InvalidParameterException', (err as Error).message);
    }
    const all = Object.values(g.streams)
      .filter((s) => (names ? names.includes(s.name) : s.name.startsWith(prefix)))
      .flatMap((s) => this.store.live(g, s.events).map((e) => ({ ...e, stream: s.name })))
      .filter(timeRange(i))
      .filter((e) => filter(e.message))
      .sort((a, b) => a.timestamp - b.timestamp || a.ingestionTime - b.ingestionTime);
    const start = Number(i.nextToken ?? 0) || 0;
    const limit = Math.min(Number(i.limit ?? PAGE) || PAGE, PAGE);
    const page = all.slice(start, start + limit);
    return {
      events: page.map((e, n) => ({
        ...view(e),
        logStreamName: e.stream,
        eventId: `${e.timestamp}${start + n}`,
      })),
      searchedLogStreams: [],
      ...(start + limit < all.length ? { nextToken: String(start + limit) } : {}),
    };
  }

  async handle(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
    const target = String(req.headers['x-amz-target'] ?? '');
    const op = target.slice(target.lastIndexOf('.') + 1);
    const fn = this.operations[op];
    if (!fn) {
      sendAwsError(
        res,
        'json',
        { code: 'InvalidAction', message: unimplementedMessage('logs', op) },
        AMZ_JSON,
      );
      return;
    }
    try {
      const input = body.length > 0 ? (JSON.parse(body.toString('utf8')) as Input) : {};
      sendJson(res, fn(input), AMZ_JSON);
    } catch (err) {
      if (err instanceof SyntaxError) {
        sendAwsError(
          res,
          'json',
          { code: 'SerializationException', message: 'request body is not JSON' },
          AMZ_JSON,
        );
        return;
      }
      if (!(err instanceof LogsError)) throw err;
      sendAwsError(res, 'json', { code: err.code, message: err.message }, AMZ_JSON);
    }
  }

  async close(): Promise<void> {}
}

function timeRange(i: Input): (e: LogEvent) => boolean {
  const from = typeof i.startTime === 'number' ? i.startTime : -Infinity;
  const to = typeof i.endTime === 'number' ? i.endTime : Infinity;
  return (e) => e.timestamp >= from && e.timestamp <= to;
}

function view(e: LogEvent) {
  return { timestamp: e.timestamp, message: e.message, ingestionTime: e.ingestionTime };
}
