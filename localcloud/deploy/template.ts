/**
 * The shapes deploy:local reads: a synthesized CloudFormation template and
 * the CDK assets manifest next to it. Only what the planner looks at is typed;
 * everything else passes through as plain JSON.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface CfnResource {
  Type: string;
  Properties?: Record<string, Json>;
  DependsOn?: string | string[];
  Condition?: string;
  Metadata?: Record<string, Json>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}

export interface CfnParameter {
  Type: string;
  Default?: Json;
  AllowedValues?: Json[];
}

export interface CfnOutput {
  Value: Json;
  Description?: string;
  Condition?: string;
  Export?: { Name: Json };
}

export interface CfnTemplate {
  Description?: string;
  Parameters?: Record<string, CfnParameter>;
  Conditions?: Record<string, Json>;
  Mappings?: Record<string, Record<string, Record<string, Json>>>;
  Resources: Record<string, CfnResource>;
  Outputs?: Record<string, CfnOutput>;
  Rules?: Record<string, Json>;
}

/** cdk.out/<Stack>.assets.json (the parts deploy:local needs). */
export interface AssetsManifest {
  version?: string;
  files?: Record<
    string,
    {
      source: { path?: string; packaging?: 'zip' | 'file'; executable?: string[] };
      destinations?: Record<string, { bucketName?: string; objectKey?: string }>;
    }
  >;
  dockerImages?: Record<string, unknown>;
}
