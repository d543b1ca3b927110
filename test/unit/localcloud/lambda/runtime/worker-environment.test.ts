/**
 * A function's environment: Lambda's variables over its own, and the SDK's
 * Node-version notice silenced only where it is about the emulator's one
 * Node.js (the function declares a newer runtime than the host runs).
 */
import { describe, expect, it } from 'vitest';
import type { FunctionDefinition } from '../../../../../localcloud/lambda/api/function-definition';
import { lambdaEnvironment } from '../../../../../localcloud/lambda/runtime/worker-environment';

const SWITCH = 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED';
const site = { endpoint: 'http://127.0.0.1:4566', region: 'eu-west-1' };

function fn(runtime: string, environment: Record<string, string> = {}): FunctionDefinition {
  return {
    name: 'f',
    arn: 'arn:aws:lambda:eu-west-1:000000000000:function:f',
    runtime,
    role: 'arn:aws:iam::000000000000:role/r',
    handler: 'index.handler',
    description: '',
    timeoutSec: 3,
    memoryMb: 128,
    environment,
    architectures: ['x86_64'],
    ephemeralStorageMb: 512,
    codeDir: '/tmp/f',
    codeSha256: '',
    codeSize: 0,
    codeLocation: '',
    lastModified: '2026-12-02T00:00:00.000+0000',
    revisionId: 'r',
    tracingMode: 'PassThrough',
    logFormat: 'Text',
    generation: 1,
  };
}

describe('the SDK’s Node-version notice in a function', () => {
  it('is silenced when the function declares a newer Node.js than the host runs', () => {
    expect(lambdaEnvironment(fn('nodejs22.x'), site, 'v20.20.2')[SWITCH]).toBe('true');
    expect(lambdaEnvironment(fn('nodejs24.x'), site, 'v22.13.0')[SWITCH]).toBe('true');
  });

  it('is left to the SDK when the function declares the host’s Node.js or an older one', () => {
    expect(lambdaEnvironment(fn('nodejs20.x'), site, 'v20.20.2')).not.toHaveProperty(SWITCH);
    expect(lambdaEnvironment(fn('nodejs22.x'), site, 'v24.1.0')).not.toHaveProperty(SWITCH);
  });

  it('follows the function’s own setting', () => {
    const env = lambdaEnvironment(fn('nodejs22.x', { [SWITCH]: 'false' }), site, 'v20.20.2');
    expect(env[SWITCH]).toBe('false');
  });
});

it('sets the region both ways, the edge as endpoint, and Lambda’s own variables over the function’s', () => {
  const env = lambdaEnvironment(fn('nodejs22.x', { AWS_REGION: 'x', MY: '1' }), site, 'v22.1.0');
  expect(env).toMatchObject({
    MY: '1',
    AWS_REGION: 'eu-west-1',
    AWS_DEFAULT_REGION: 'eu-west-1',
    AWS_ENDPOINT_URL: 'http://127.0.0.1:4566',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    AWS_LAMBDA_FUNCTION_NAME: 'f',
  });
});
