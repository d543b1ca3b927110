/* global URL */
// The AWS SDK v3 a Lambda worker gets from the runtime, for import (an ESM
// resolve hook, off-thread) and require (a fallback in CommonJS resolution).
// The cloud's own installed `@aws-sdk/*` packages serve, only for what the
// function's bundle does not carry.
import Module, { createRequire, register } from 'node:module';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The `@aws-sdk/*` packages installed beside the cloud (for the error message). */
export function installedSdkPackages(parentURL) {
  let dir = dirname(fileURLToPath(parentURL));
  for (;;) {
    try {
      return readdirSync(join(dir, 'node_modules', '@aws-sdk'))
        .filter((n) => n.startsWith('client-') || n.startsWith('lib-') || n.startsWith('util-'))
        .map((n) => `@aws-sdk/${n}`);
    } catch {
      const up = dirname(dir);
      if (up === dir) return [];
      dir = up;
    }
  }
}

export function provideSdk(parentURL, packages) {
  register(new URL('./sdk-resolve-hooks.mjs', import.meta.url), {
    data: { parentURL, packages },
  });
  const fromCloud = createRequire(parentURL);
  const original = Module._resolveFilename;
  Module._resolveFilename = function (request, parent, isMain, options) {
    try {
      return original.call(this, request, parent, isMain, options);
    } catch (err) {
      if (err?.code !== 'MODULE_NOT_FOUND' || !request.startsWith('@aws-sdk/')) throw err;
      try {
        return fromCloud.resolve(request);
      } catch {
        err.message = `Cannot find module '${request}': the function's bundle does not carry it, and the local cloud's Node.js runtime provides only the AWS SDK v3 packages it has installed (${packages.join(', ') || 'none'})`;
        throw err;
      }
    }
  };
}
