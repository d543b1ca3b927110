/** Kinesis stream name from its ARN (arn:aws:kinesis:<region>:<account>:stream/<name>). */
export function streamNameOf(arn: string): string | undefined {
  const m = /^arn:aws[a-z-]*:kinesis:[^:]*:[^:]*:stream\/([^/]+)$/.exec(arn);
  return m?.[1];
}
