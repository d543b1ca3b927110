import { describe, expect, it } from 'vitest';
import { applyCliDefaults, LOCAL_ENDPOINT } from '../../../../tools/cli-kit/aws-env';

describe('endpoint, region and credential defaults', () => {
  it('with nothing set: the local cloud, test credentials, us-east-1', () => {
    const env: NodeJS.ProcessEnv = {};
    applyCliDefaults(env);
    expect(env).toEqual({
      AWS_ENDPOINT_URL: LOCAL_ENDPOINT,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_REGION: 'us-east-1',
    });
  });

  it('honours AWS_DEFAULT_REGION when AWS_REGION is missing, as the AWS CLI does', () => {
    // The JS SDK reads only AWS_REGION: without the copy it answers "Region is missing".
    const env: NodeJS.ProcessEnv = { AWS_DEFAULT_REGION: 'eu-west-1' };
    applyCliDefaults(env);
    expect(env.AWS_REGION).toBe('eu-west-1');
  });

  it('AWS_REGION wins over AWS_DEFAULT_REGION', () => {
    const env: NodeJS.ProcessEnv = { AWS_REGION: 'ap-south-1', AWS_DEFAULT_REGION: 'eu-west-1' };
    applyCliDefaults(env);
    expect(env.AWS_REGION).toBe('ap-south-1');
  });

  it("with a profile: no local endpoint, no test credentials, the profile's own region", () => {
    const env: NodeJS.ProcessEnv = { AWS_PROFILE: 'prod' };
    applyCliDefaults(env);
    expect(env).toEqual({ AWS_PROFILE: 'prod' });
  });

  it('with real credentials: the SDK finds the endpoint; an explicit endpoint is kept', () => {
    const real: NodeJS.ProcessEnv = { AWS_ACCESS_KEY_ID: 'AKIA', AWS_SECRET_ACCESS_KEY: 's' };
    applyCliDefaults(real);
    expect(real.AWS_ENDPOINT_URL).toBeUndefined();
    expect(real.AWS_ACCESS_KEY_ID).toBe('AKIA');
    const explicit: NodeJS.ProcessEnv = { AWS_ENDPOINT_URL: 'http://127.0.0.1:4567' };
    applyCliDefaults(explicit);
    expect(explicit.AWS_ENDPOINT_URL).toBe('http://127.0.0.1:4567');
  });
});
