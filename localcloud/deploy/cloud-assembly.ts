/**
 * Reads a synthesized cloud assembly (cdk.out): which stacks it holds, each
 * with its template and assets manifest, from cdk.out/manifest.json.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DeployError } from './appliers/types';
import type { AssetsManifest, CfnTemplate } from './template';

export interface AssemblyStack {
  /** The artifact id (cdk's name for the stack) */
  id: string;
  stackName: string;
  template: CfnTemplate;
  assets?: AssetsManifest;
  /** Stacks it depends on, by artifact id */
  dependencies: string[];
  /** The template as an S3 asset (s3://bucket/key with ${AWS::AccountId} / ${AWS::Region}), if any */
  templateUrl?: string;
  /** Where the asset manifest lives (asset paths are relative to the assembly directory). */
  directory: string;
  /** The SSM parameter that holds the bootstrap version the stack needs. */
  bootstrapParameter?: string;
}

interface Manifest {
  artifacts?: Record<
    string,
    {
      type: string;
      properties?: {
        templateFile?: string;
        stackName?: string;
        file?: string;
        stackTemplateAssetObjectUrl?: string;
        bootstrapStackVersionSsmParameter?: string;
      };
      dependencies?: string[];
    }
  >;
}

function readJson<T>(path: string): T {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (err) {
    throw new DeployError(`cannot read ${path}: ${(err as Error).message}`);
  }
}

export function readAssembly(cdkOut: string): AssemblyStack[] {
  const dir = resolve(cdkOut);
  const manifestPath = join(dir, 'manifest.json');
  if (!existsSync(manifestPath)) {
    throw new DeployError(
      `no synthesized app in ${dir} (no manifest.json); run \`npx cdk synth -q\` or drop --no-synth`,
    );
  }
  const artifacts = readJson<Manifest>(manifestPath).artifacts ?? {};
  const stacks: AssemblyStack[] = [];
  for (const [id, a] of Object.entries(artifacts)) {
    if (a.type !== 'aws:cloudformation:stack' || !a.properties?.templateFile) continue;
    const assetsId = (a.dependencies ?? []).find(
      (d) => artifacts[d]?.type === 'cdk:asset-manifest',
    );
    const assetsFile = assetsId ? artifacts[assetsId]!.properties?.file : undefined;
    stacks.push({
      id,
      stackName: a.properties.stackName ?? id,
      template: readJson<CfnTemplate>(join(dir, a.properties.templateFile)),
      assets: assetsFile ? readJson<AssetsManifest>(join(dir, assetsFile)) : undefined,
      dependencies: (a.dependencies ?? []).filter(
        (d) => artifacts[d]?.type === 'aws:cloudformation:stack',
      ),
      templateUrl: a.properties.stackTemplateAssetObjectUrl,
      directory: dir,
      bootstrapParameter: a.properties.bootstrapStackVersionSsmParameter,
    });
  }
  if (stacks.length === 0) throw new DeployError(`${manifestPath} lists no CloudFormation stack`);
  return stacks;
}
