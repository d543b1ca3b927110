/**
 * Kinesis ARNs: a stream (arn:aws:kinesis:<region>:<account>:stream/<name>)
 * or an enhanced fan-out consumer of it (…:stream/<name>/consumer/<consumer>:<timestamp>).
 */
const STREAM = /^arn:aws[a-z-]*:kinesis:[^:]*:[^:]*:stream\/([^/]+)(\/consumer\/[^/]+)?$/;

/** The stream a stream or consumer ARN names. */
export function streamNameOf(arn: string): string | undefined {
  return STREAM.exec(arn)?.[1];
}

export function isConsumerArn(arn: string): boolean {
  return STREAM.exec(arn)?.[2] !== undefined;
}
