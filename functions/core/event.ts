/**
 * The event schema of DESIGN.md ("Events"): one JSON object per Kinesis
 * record, partition key = user_id. Validation lives in event-schema.ts; this
 * file is the shape shared by producers, cores and tests.
 */
export const SEVERITIES = ['Low', 'Medium', 'High', 'Critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** As producers send it: timestamp in epoch seconds (float); ms and ISO-8601 are accepted too. */
export interface ActivityEvent {
  event_id: string;
  timestamp: number | string;
  user_id: string;
  student_name: string;
  course: string;
  activity: string;
  lines_of_code: number;
  cpu_usage_pct: number;
  severity: Severity;
  content: string;
}

/** After validation: event time normalised to epoch milliseconds. */
export interface ValidEvent extends Omit<ActivityEvent, 'timestamp'> {
  eventTimeMs: number;
}
