/* global URL */
// ESM resolve hook of a Lambda worker (registered with module.register): an
// `@aws-sdk/*` import the function's bundle does not carry resolves from the
// cloud's own node_modules, as AWS's Node.js >= 18 runtimes provide SDK v3
// (CDK's NodejsFunction leaves it out of bundles for that reason). What the
// bundle carries always wins.
let provider; // { parentURL, packages: string[] }

export async function initialize(data) {
  provider = data;
}

export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (err) {
    if (!provider || !specifier.startsWith('@aws-sdk/') || err?.code !== 'ERR_MODULE_NOT_FOUND')
      throw err;
    try {
      return await nextResolve(specifier, { ...context, parentURL: provider.parentURL });
    } catch {
      throw Object.assign(new Error(missingMessage(specifier, context.parentURL)), {
        code: 'ERR_MODULE_NOT_FOUND',
      });
    }
  }
}

export function missingMessage(specifier, parent) {
  const from = parent ? ` imported from ${new URL(parent).pathname}` : '';
  return `Cannot find package '${specifier}'${from}: the function's bundle does not carry it, and the local cloud's Node.js runtime provides only the AWS SDK v3 packages it has installed (${provider?.packages.join(', ') || 'none'})`;
}
