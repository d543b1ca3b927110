/* global URL, Buffer */
// A throttling storm from another thread (so its client work does not share
// the edge's event loop): closed-loop PutRecords of 500 records to one
// stream over keep-alive HTTP/1.1, counting calls and throttled records.
import { Agent, request } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

const { endpoint, stream, callers, durationMs } = workerData;
const url = new URL(endpoint);
const agent = new Agent({ keepAlive: true, maxSockets: callers });
const body = Buffer.from(
  JSON.stringify({
    StreamName: stream,
    Records: Array.from({ length: 500 }, (_, i) => ({
      PartitionKey: `user_${i}`,
      Data: Buffer.alloc(300, 0x61).toString('base64'),
    })),
  }),
);
const headers = {
  host: url.host,
  'content-type': 'application/x-amz-json-1.1',
  'x-amz-target': 'Kinesis_20131202.PutRecords',
  'x-amz-date': '20250101T000000Z',
  authorization:
    'AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/kinesis/aws4_request, SignedHeaders=host, Signature=0',
  'content-length': body.length,
};
let calls = 0;
let failed = 0;
const deadline = Date.now() + durationMs;
const once = () =>
  new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, method: 'POST', path: '/', headers, agent },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const m = /"FailedRecordCount":(\d+)/.exec(
            Buffer.concat(chunks).toString('latin1', 0, 200),
          );
          failed += m ? Number(m[1]) : 0;
          calls++;
          resolve();
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
const caller = async () => {
  while (Date.now() < deadline) await once();
};
await Promise.all(Array.from({ length: callers }, caller));
agent.destroy();
parentPort.postMessage({ calls, failed });
