/**
 * Endpoint, region and credential defaults for commands run on a laptop,
 * the way the AWS CLI reads them: AWS_REGION, else AWS_DEFAULT_REGION (the
 * JS SDK reads only the first, so it is copied over), else the profile's
 * region, else us-east-1; with no credentials and no endpoint set, the
 * embedded local cloud on 127.0.0.1:4566 with test credentials.
 */
export const LOCAL_ENDPOINT = 'http://127.0.0.1:4566';
export const DEFAULT_REGION = 'us-east-1';

export function applyCliDefaults(env: NodeJS.ProcessEnv = process.env): void {
  const hasCredentials =
    env.AWS_ACCESS_KEY_ID ||
    env.AWS_PROFILE ||
    env.AWS_CONTAINER_CREDENTIALS_FULL_URI ||
    env.AWS_WEB_IDENTITY_TOKEN_FILE;
  if (!env.AWS_ENDPOINT_URL && !hasCredentials) env.AWS_ENDPOINT_URL = LOCAL_ENDPOINT;
  if (!hasCredentials) {
    env.AWS_ACCESS_KEY_ID = 'test';
    env.AWS_SECRET_ACCESS_KEY = 'test';
  }
  if (!env.AWS_REGION && env.AWS_DEFAULT_REGION) env.AWS_REGION = env.AWS_DEFAULT_REGION;
  // With a profile, its own region comes next (the SDK reads it); otherwise the default.
  if (!env.AWS_REGION && !env.AWS_PROFILE) env.AWS_REGION = DEFAULT_REGION;
}

/** The endpoint clients use, as the user should read it. */
export function endpointInUse(env: NodeJS.ProcessEnv = process.env): string {
  return env.AWS_ENDPOINT_URL ?? 'the AWS endpoints of your region';
}
