/**
 * The emulators off the edge's event loop: kinesalite and dynalite each in
 * a worker thread of their own, answering their wire protocol on an
 * internal port; closed with the cloud (the thread ends, the port closes);
 * inline placement keeps them on the caller's thread.
 */
import { connect } from 'node:net';
import { threadId } from 'node:worker_threads';
import { afterEach, expect, it } from 'vitest';
import { BackendProxy } from '../../../../localcloud/edge/backend-proxy';
import {
  startEmulator,
  type RunningEmulator,
} from '../../../../localcloud/workers/emulator-thread';

const started: RunningEmulator[] = [];
const proxies: BackendProxy[] = [];
afterEach(async () => {
  for (const p of proxies.splice(0)) p.close();
  await Promise.all(started.splice(0).map((e) => e.close()));
});

async function start(kind: 'kinesalite' | 'dynalite', placement?: 'threads' | 'inline') {
  const e = await startEmulator({ kind, options: { transitionMs: 5 }, placement });
  started.push(e);
  const proxy = new BackendProxy(e.port);
  proxies.push(proxy);
  return { e, proxy };
}

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

it('runs kinesalite on a thread of its own, speaking Kinesis on its port', async () => {
  const { e, proxy } = await start('kinesalite');
  expect(e.placement).toBe('threads');
  expect(e.threadId).not.toBe(threadId);
  const created = await proxy.call(
    'Kinesis_20131202.CreateStream',
    { StreamName: 's', ShardCount: 1 },
    'application/x-amz-json-1.1',
  );
  expect(created.status).toBe(200);
  const listed = await proxy.call('Kinesis_20131202.ListStreams', {}, 'application/x-amz-json-1.1');
  expect(listed.json.StreamNames).toEqual(['s']);
});

it('runs dynalite on another thread than kinesalite and the caller', async () => {
  const [k, d] = await Promise.all([start('kinesalite'), start('dynalite')]);
  expect(new Set([threadId, k.e.threadId, d.e.threadId]).size).toBe(3);
  const tables = await d.proxy.call(
    'DynamoDB_20120810.ListTables',
    {},
    'application/x-amz-json-1.0',
  );
  expect(tables).toEqual({ status: 200, json: { TableNames: [] } });
});

it('closes the emulator with its thread: the port stops accepting', async () => {
  const { e, proxy } = await start('dynalite');
  expect(await accepts(e.port)).toBe(true);
  proxy.close();
  await e.close();
  expect(await accepts(e.port)).toBe(false);
});

it('keeps an inline emulator on the caller thread', async () => {
  const { e, proxy } = await start('kinesalite', 'inline');
  expect(e.placement).toBe('inline');
  expect(e.threadId).toBe(threadId);
  const listed = await proxy.call('Kinesis_20131202.ListStreams', {}, 'application/x-amz-json-1.1');
  expect(listed.json.StreamNames).toEqual([]);
});

it("answers the edge's requests as messages to its thread: what HTTP on its port answers", async () => {
  const { e, proxy } = await start('kinesalite');
  const headers = {
    'content-type': 'application/x-amz-json-1.1',
    'x-amz-target': 'Kinesis_20131202.DescribeStream',
    authorization:
      'AWS4-HMAC-SHA256 Credential=t/20200101/us-east-1/kinesis/aws4_request, SignedHeaders=host, Signature=0',
    'x-amz-date': '20200101T000000Z',
  };
  const body = Buffer.from(JSON.stringify({ StreamName: 'missing' }));
  const [viaMessage, viaHttp] = await Promise.all([
    e.request('POST', '/', headers, body),
    proxy.send('POST', '/', headers, body),
  ]);
  expect(viaMessage.status).toBe(400);
  expect(viaMessage.status).toBe(viaHttp.status);
  expect(viaMessage.headers['content-type']).toBe(viaHttp.headers['content-type']);
  expect(JSON.parse(viaMessage.body.toString())).toEqual(JSON.parse(viaHttp.body.toString()));
  expect(viaMessage.headers['x-amzn-requestid']).toBeTruthy();
});

it('refuses a request to an emulator whose thread has ended, with a message', async () => {
  const { e } = await start('dynalite');
  await e.close();
  await expect(e.request('POST', '/', {}, Buffer.alloc(0))).rejects.toThrow(
    /dynalite thread has ended/,
  );
});

it.each(['threads', 'inline'] as const)(
  'answers a request in progress before it closes (%s)',
  async (placement) => {
    const e = await startEmulator({ kind: 'kinesalite', options: { transitionMs: 5 }, placement });
    const answer = e.request(
      'POST',
      '/',
      {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'Kinesis_20131202.CreateStream',
        authorization:
          'AWS4-HMAC-SHA256 Credential=t/20200101/us-east-1/kinesis/aws4_request, SignedHeaders=host, Signature=0',
        'x-amz-date': '20200101T000000Z',
      },
      Buffer.from(JSON.stringify({ StreamName: 'closing', ShardCount: 1 })),
    );
    const order: string[] = [];
    void answer.then(() => order.push('answered'));
    await e.close();
    order.push('closed');
    expect((await answer).status).toBe(200);
    // close waits for the answer (inline the thread lives on, so only the order shows it)
    expect(order).toEqual(['answered', 'closed']);
  },
);
