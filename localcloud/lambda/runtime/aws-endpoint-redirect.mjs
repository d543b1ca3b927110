/* global URL */
// Requests a function sends to AWS's public endpoints (*.amazonaws.com) go
// to the local cloud's edge instead, as LocalStack resolves AWS's endpoints
// to itself inside its Lambda runtime. SDK v2 (`aws-sdk`, which ignores
// AWS_ENDPOINT_URL) and SDK v3 releases older than AWS_ENDPOINT_URL support
// then reach the cloud unchanged. The edge routes by the request's SigV4
// credential scope and does not check signatures; it answers only Host
// headers with a loopback name, so `<name>.amazonaws.com` becomes
// `<name>.localhost:<edge port>` (an S3 virtual-host bucket stays in it).
import http from 'node:http';
import https from 'node:https';
import http2 from 'node:http2';
import { syncBuiltinESMExports } from 'node:module';

const AWS_HOST = /(^|\.)amazonaws\.com(\.cn)?$/i;

/** The host an http(s).request call is for, from its (url, options) arguments. */
function hostOf(url, options) {
  if (options && (options.hostname || options.host))
    return String(options.hostname || options.host).replace(/:\d+$/, '');
  if (url) return new URL(String(url)).hostname;
  return '';
}

function toOptions(url, options) {
  if (!url) return { ...options };
  const u = new URL(String(url));
  return { path: u.pathname + u.search, hostname: u.hostname, ...options };
}

export function redirectAwsEndpoints(edgeUrl) {
  const edge = new URL(edgeUrl);
  const agent = new http.Agent({ keepAlive: true });
  const original = http.request;
  const rewrite = (args) => {
    const url = typeof args[0] === 'string' || args[0] instanceof URL ? args[0] : undefined;
    const options = url ? (typeof args[1] === 'object' ? args[1] : {}) : args[0] || {};
    const callback = args.find((a) => typeof a === 'function');
    const host = hostOf(url, options);
    if (!AWS_HOST.test(host)) return undefined;
    const o = toOptions(url, options);
    const headers = Object.fromEntries(
      Object.entries(o.headers ?? {}).filter(([h]) => h.toLowerCase() !== 'host'),
    );
    headers.host = `${host.replace(AWS_HOST, (m) => (m.startsWith('.') ? '.localhost' : 'localhost'))}:${edge.port}`;
    return original(
      {
        ...o,
        protocol: 'http:',
        hostname: edge.hostname,
        host: edge.hostname,
        port: edge.port,
        agent,
        headers,
      },
      callback,
    );
  };
  for (const mod of [https, http]) {
    const request = mod.request;
    mod.request = (...args) => rewrite(args) ?? request(...args);
    mod.get = (...args) => {
      const req = mod.request(...args);
      req.end();
      return req;
    };
  }
  const connect = http2.connect;
  http2.connect = (authority, ...rest) => {
    const target = new URL(String(authority));
    if (!AWS_HOST.test(target.hostname)) return connect(authority, ...rest);
    return connect(`http://${edge.host}`, ...rest);
  };
  syncBuiltinESMExports();
}
