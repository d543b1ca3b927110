/** Kinesis ARNs as AWS forms them (pure). */
import { ACCOUNT_ID } from '../config';

export function streamArn(region: string, name: string): string {
  return `arn:aws:kinesis:${region}:${ACCOUNT_ID}:stream/${name}`;
}

/** AWS::Kinesis::StreamConsumer: `<stream ARN>/consumer/<name>:<creation epoch seconds>`. */
export function consumerArn(stream: string, name: string, createdMs: number): string {
  return `${stream}/consumer/${name}:${Math.floor(createdMs / 1000)}`;
}

/** The stream name of a stream ARN or consumer ARN; undefined when not a Kinesis stream ARN. */
export function streamNameOfArn(arn: string): string | undefined {
  return /^arn:aws[a-z-]*:kinesis:[^:]*:\d{12}:stream\/([^/]+)/.exec(arn)?.[1];
}

/** The parts of a consumer ARN, or undefined. */
export function parseConsumerArn(
  arn: string,
): { streamArn: string; name: string; createdSeconds: number } | undefined {
  const m = /^(arn:aws[a-z-]*:kinesis:[^:]*:\d{12}:stream\/[^/]+)\/consumer\/(.+):(\d+)$/.exec(arn);
  return m ? { streamArn: m[1]!, name: m[2]!, createdSeconds: Number(m[3]) } : undefined;
}
