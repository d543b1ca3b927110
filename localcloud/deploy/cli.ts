/**
 * `npm run deploy:local [-- --no-synth] [--stack Name] [--endpoint URL]`:
 * synthesize the CDK app and create its stack on the running local cloud,
 * then print what was made. A second run updates in place.
 */
import { parseArgs } from 'node:util';
import { DeployError } from './appliers/types';
import { deployLocal } from './deploy-local';
import { TemplateError } from './intrinsics';
import { textTable } from './text-table';

const HELP = `npm run deploy:local [-- options]

Synthesizes the CDK app (npx cdk synth -q) and deploys it to the local cloud
at AWS_ENDPOINT_URL (default http://127.0.0.1:4566; start one with \`npm run
local\`) the way \`cdk deploy\` does: bootstrap if needed, assets to S3, a
CloudFormation change set. Running it again updates in place; \`npx cdklocal
destroy\` (or the CloudFormation API) removes the stack.

  --no-synth          reuse cdk.out as it is
  --cdk-out DIR       cloud assembly directory (default cdk.out)
  --stack NAME        deploy only this stack (repeatable)
  --endpoint URL      edge endpoint (default AWS_ENDPOINT_URL or http://127.0.0.1:4566)
  --strict            a resource type the cloud does not emulate is an error, not a warning
  --quiet             print only the summary line
  --help
`;

// The SDK's documented switch for its Node-version notice (noise in this output).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

async function main(): Promise<void> {
  let args;
  try {
    args = parseArgs({
      options: {
        'no-synth': { type: 'boolean', default: false },
        'cdk-out': { type: 'string' },
        stack: { type: 'string', multiple: true },
        endpoint: { type: 'string' },
        quiet: { type: 'boolean', default: false },
        strict: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
      strict: true,
    }).values;
  } catch (err) {
    fail(`${(err as Error).message} (see --help)`);
  }
  if (args.help) {
    process.stdout.write(HELP);
    return;
  }
  const quiet = args.quiet;
  const result = await deployLocal({
    synth: !args['no-synth'],
    cdkOut: args['cdk-out'],
    stacks: args.stack,
    endpoint: args.endpoint,
    log: quiet ? () => {} : (line) => process.stdout.write(`${line}\n`),
    strict: args.strict,
  });

  for (const stack of result.stacks) {
    if (!quiet) {
      process.stdout.write(`\n${stack.stackName} on ${result.endpoint}\n`);
      process.stdout.write(
        `${textTable(
          ['logical id', 'type', 'physical name', 'action', 'detail'],
          stack.resources.map((r) => [r.logicalId, r.type, r.physicalId, r.action, r.detail ?? '']),
        )}\n`,
      );
      const accepted = Object.entries(stack.acceptedTypes);
      if (accepted.length > 0) {
        process.stdout.write(
          `\naccepted, not emulated: ${accepted.map(([t, n]) => `${t} (${n})`).join(', ')}\n`,
        );
      }
      const outputs = Object.entries(stack.outputs);
      if (outputs.length > 0) {
        process.stdout.write(
          `\noutputs (${result.outputsFile}):\n${outputs.map(([k, v]) => `  ${k} = ${typeof v === 'string' ? v : JSON.stringify(v)}`).join('\n')}\n`,
        );
      }
    }
    const counts = new Map<string, number>();
    for (const r of stack.resources) counts.set(r.action, (counts.get(r.action) ?? 0) + 1);
    process.stdout.write(
      `\n${stack.stackName}: ${[...counts].map(([a, n]) => `${n} ${a}`).join(', ')} ` +
        `(synth ${(result.synthMs / 1000).toFixed(1)} s, deploy ${(result.deployMs / 1000).toFixed(1)} s)\n`,
    );
  }
}

function fail(message: string): never {
  process.stderr.write(`deploy:local: ${message}\n`);
  process.exit(1);
}

main().catch((err: unknown) => {
  if (err instanceof DeployError || err instanceof TemplateError) fail(err.message);
  const e = err as Error;
  // An SDK error names the operation the local cloud refused; that is the useful part.
  fail(`${e.name ?? 'Error'}: ${e.message}`);
});
