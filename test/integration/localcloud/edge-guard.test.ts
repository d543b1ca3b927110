/**
 * The edge trusts no browser (issue 10): a cross-site request is refused
 * before anything runs, a DNS-rebound Host is refused, every service refuses
 * a call without AWS credentials, an allowed origin gets CORS answers, the
 * health endpoint stays open. And what a request may carry is bounded with
 * AWS-shaped answers: a gzip bomb gets 413 while other requests are served,
 * too many headers get a named error instead of an empty 400.
 */
import { request } from 'node:http';
import { connect } from 'node:http2';
import { gzipSync } from 'node:zlib';
import { LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EDGE_LIMITS } from '../../../localcloud/config';
import { startLocalCloud, type LocalCloud } from '../../../localcloud/start-local-cloud';

const ALLOWED = 'http://localhost:3000';
let cloud: LocalCloud;
let port: number;

beforeAll(async () => {
  cloud = await startLocalCloud({ port: 0, allowOrigins: [ALLOWED], log: () => {} });
  port = Number(new URL(cloud.endpoint).port);
});
afterAll(async () => {
  await cloud?.stop();
});

const sig = (service: string) => ({
  authorization: `AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=0`,
  'x-amz-date': '20250101T000000Z',
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw HTTP/1.1 request: any Host, any headers (fetch would not allow that). */
function raw(
  method: string,
  path: string,
  headers: Record<string, string>,
  body: Buffer | string = '',
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

const json = (a: Answer) => JSON.parse(a.body) as { __type?: string; message?: string };

describe('the edge trusts no browser', () => {
  it('refuses the cross-site CreateFunction a web page could send, and nothing is created', async () => {
    const page = {
      host: `127.0.0.1:${port}`,
      origin: 'https://evil.example',
      'content-type': 'text/plain',
    };
    const create = JSON.stringify({
      FunctionName: 'pwned',
      Runtime: 'nodejs20.x',
      Role: 'arn:aws:iam::000000000000:role/x',
      Handler: 'index.handler',
      Code: { ZipFile: 'UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==' },
    });
    const r = await raw('POST', '/2015-03-31/functions', page, create);
    expect(r.status).toBe(403);
    expect(json(r).__type).toBe('AccessDeniedException');
    expect(json(r).message).toContain('--allow-origin https://evil.example');
    expect(r.headers['access-control-allow-origin']).toBeUndefined();
    // the same request from no browser still lacks AWS credentials
    const { origin: _, ...noOrigin } = page;
    const unsigned = await raw('POST', '/2015-03-31/functions', noOrigin, create);
    expect(unsigned.status).toBe(403);
    expect(json(unsigned).__type).toBe('MissingAuthenticationTokenException');
    const lambda = new LambdaClient({
      endpoint: cloud.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    expect((await lambda.send(new ListFunctionsCommand({}))).Functions).toEqual([]);
    lambda.destroy();
  });

  it('refuses a call with no AWS credentials in every service, in its protocol', async () => {
    const host = { host: `127.0.0.1:${port}` };
    const jsonCall = (target: string, type: string) =>
      raw('POST', '/', { ...host, 'content-type': type, 'x-amz-target': target }, '{}');
    const calls = [
      jsonCall('Kinesis_20131202.ListStreams', 'application/x-amz-json-1.1'),
      jsonCall('DynamoDB_20120810.ListTables', 'application/x-amz-json-1.0'),
      jsonCall('GraniteServiceVersion20100801.ListMetrics', 'application/x-amz-json-1.0'),
      jsonCall('AmazonSQS.ListQueues', 'application/x-amz-json-1.0'),
      jsonCall('AWSEvents.ListRules', 'application/x-amz-json-1.1'),
      raw('GET', '/2015-03-31/functions/', host),
    ];
    for (const r of await Promise.all(calls)) {
      expect(r.status).toBe(403);
      expect(json(r).__type).toBe('MissingAuthenticationTokenException');
      expect(r.headers['x-amzn-errortype']).toBe('MissingAuthenticationTokenException');
    }
    const form = { ...host, 'content-type': 'application/x-www-form-urlencoded' };
    for (const body of [
      'Action=ListMetrics&Version=2010-08-01',
      'Action=ListQueues&Version=2012-11-05',
    ]) {
      const r = await raw('POST', '/', form, body);
      expect(r.status).toBe(403);
      expect(r.body).toContain('<Code>MissingAuthenticationToken</Code>');
    }
  });

  it('refuses a Host that does not name the edge (DNS rebinding), over HTTP/1.1 and HTTP/2', async () => {
    const call = (host: string) =>
      raw(
        'POST',
        '/',
        {
          host,
          ...sig('kinesis'),
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': 'Kinesis_20131202.ListStreams',
        },
        '{}',
      );
    const rebound = await call(`rebound.evil.example:${port}`);
    expect(rebound.status).toBe(403);
    expect(json(rebound).message).toContain('Host: rebound.evil.example');
    expect((await call(`127.0.0.1:${port + 1}`)).status).toBe(403);
    expect((await call(`localhost:${port}`)).status).toBe(200);
    expect((await call(`127.0.0.1:${port}`)).status).toBe(200);

    const session = connect(cloud.endpoint);
    const status = await new Promise<number>((resolve, reject) => {
      const s = session.request({
        ':method': 'POST',
        ':path': '/',
        ':authority': `rebound.evil.example:${port}`,
        ...sig('kinesis'),
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'Kinesis_20131202.ListStreams',
      });
      s.on('response', (h) => resolve(Number(h[':status'])));
      s.on('error', reject);
      s.end('{}');
    });
    session.close();
    expect(status).toBe(403);
  });

  it('answers an allowed origin with CORS, preflight included', async () => {
    const host = { host: `127.0.0.1:${port}`, origin: ALLOWED };
    const pre = await raw('OPTIONS', '/', {
      ...host,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization,content-type,x-amz-date,x-amz-target',
    });
    expect(pre.status).toBe(200);
    expect(pre.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(pre.headers['access-control-allow-headers']).toContain('x-amz-target');
    const r = await raw(
      'POST',
      '/',
      {
        ...host,
        ...sig('monitoring'),
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'GraniteServiceVersion20100801.ListDashboards',
      },
      '{}',
    );
    expect(r.status).toBe(200);
    expect(r.headers['access-control-allow-origin']).toBe(ALLOWED);
    const foreignPreflight = await raw('OPTIONS', '/', {
      host: `127.0.0.1:${port}`,
      origin: 'http://localhost:3001',
      'access-control-request-method': 'POST',
    });
    expect(foreignPreflight.status).toBe(403);
  });

  it('keeps the health endpoint open without credentials', async () => {
    const r = await raw('GET', '/_localstack/health', { host: `localhost:${port}` });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toMatchObject({
      services: { kinesis: 'running', lambda: 'running' },
    });
  });
});

describe('bounded requests', () => {
  it('refuses a gzip bomb with 413 while serving other requests', async () => {
    const expanded = EDGE_LIMITS.maxDecodedBodyBytes * 2;
    const bomb = gzipSync(Buffer.alloc(expanded, 0x20));
    expect(bomb.length).toBeLessThan(EDGE_LIMITS.maxBodyBytes);
    const headers = {
      host: `127.0.0.1:${port}`,
      ...sig('kinesis'),
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'Kinesis_20131202.ListStreams',
    };
    const [refused, served] = await Promise.all([
      raw('POST', '/', { ...headers, 'content-encoding': 'gzip' }, bomb),
      raw('POST', '/', headers, '{}'),
    ]);
    expect(refused.status).toBe(413);
    expect(json(refused).__type).toBe('RequestEntityTooLargeException');
    expect(served.status).toBe(200);
  });

  it('answers too many headers, or too large a header block, with a named error', async () => {
    const many: Record<string, string> = { host: `127.0.0.1:${port}`, ...sig('kinesis') };
    for (let i = 0; i < 1000; i++) many[`x-filler-${i}`] = 'v';
    const r = await raw(
      'POST',
      '/',
      { ...many, 'x-amz-target': 'Kinesis_20131202.ListStreams' },
      '{}',
    );
    expect(r.status).toBe(400);
    expect(json(r).__type).toBe('RequestHeaderFieldsTooLargeException');
    const big = await raw('GET', '/', {
      host: `127.0.0.1:${port}`,
      'x-big': 'v'.repeat(EDGE_LIMITS.maxHeaderBytes + 1),
    });
    expect(big.status).toBe(431);
    expect(json(big).__type).toBe('RequestHeaderFieldsTooLargeException');
  });
});
