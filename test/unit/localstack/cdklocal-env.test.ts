/**
 * The environment deploy:localstack gives cdklocal passes aws-cdk-local's own
 * check (the function cdklocal runs at start), and keeps the endpoint,
 * region and credentials it sets.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { cdklocalEnvironment, classifyHealth } from '../../../localstack/cdklocal-env';

const require = createRequire(import.meta.url);
const { configureEnvironment } = require('aws-cdk-local/src/index.js') as {
  configureEnvironment: (env: NodeJS.ProcessEnv, allow: string) => void;
};

describe('cdklocal environment', () => {
  it("passes aws-cdk-local's environment check and keeps what it sets", () => {
    const env = cdklocalEnvironment(
      { PATH: '/bin', AWS_REGION: 'eu-west-1', AWS_PROFILE: 'x' },
      'http://127.0.0.1:4566',
    );
    const checked = { ...env };
    configureEnvironment(checked, env.AWS_ENVAR_ALLOWLIST ?? '');
    expect(checked.AWS_ENDPOINT_URL).toBe('http://127.0.0.1:4566');
    expect(checked.AWS_ENDPOINT_URL_S3).toBe('http://127.0.0.1:4566');
    expect(checked.AWS_REGION).toBe('eu-west-1');
    expect(checked.AWS_ACCESS_KEY_ID).toBe('test');
    // cdklocal drops AWS_* variables that are not allow-listed (a profile would point at real AWS).
    expect(checked.AWS_PROFILE).toBeUndefined();
    expect(checked.PATH).toBe('/bin');
  });

  it('is needed: the endpoint alone is what cdklocal refuses', () => {
    expect(() => configureEnvironment({ AWS_ENDPOINT_URL: 'http://127.0.0.1:4566' }, '')).toThrow(
      /AWS_ENDPOINT_URL_S3/,
    );
  });

  it("tells LocalStack from the embedded cloud by the health answer's edition", () => {
    expect(classifyHealth(true, { services: {}, edition: 'community' })).toBe('localstack');
    expect(classifyHealth(true, { services: {}, edition: 'streamscale-localcloud' })).toBe(
      'embedded',
    );
    expect(classifyHealth(true, { hello: 1 })).toBe('other');
    expect(classifyHealth(false, undefined)).toBe('other');
  });
});
