import { describe, expect, it } from 'vitest';
import { checkTemplate } from '../../../../localcloud/deploy/template-check';
import type { CfnTemplate } from '../../../../localcloud/deploy/template';

const fn = (Runtime: string, extra: Record<string, unknown> = {}) => ({
  Type: 'AWS::Lambda::Function',
  Properties: { Runtime, Handler: 'index.handler', Code: { ZipFile: 'x' }, ...extra },
});

describe('checkTemplate: what cannot run is refused before anything is created', () => {
  it("refuses a runtime AWS no longer allows creating, with AWS's message", () => {
    const r = checkTemplate({ Resources: { Old: fn('nodejs14.x') } } as CfnTemplate);
    expect(r.errors).toEqual([
      'Old (AWS::Lambda::Function): The runtime parameter of nodejs14.x is no longer supported for creating or updating AWS Lambda functions. We recommend you use the new runtime (nodejs24.x) while creating or updating functions.',
    ]);
  });

  it('refuses a non-Node runtime naming it, and container images', () => {
    const r = checkTemplate({
      Resources: {
        Py: fn('python3.12'),
        Img: {
          Type: 'AWS::Lambda::Function',
          Properties: { PackageType: 'Image', Code: { ImageUri: 'x' } },
        },
      },
    } as CfnTemplate);
    expect(r.errors[0]).toBe(
      'Py (AWS::Lambda::Function): runtime python3.12 is not supported by the embedded cloud, which runs Node.js functions only',
    );
    expect(r.errors[1]).toMatch(/^Img \(AWS::Lambda::Function\): container-image functions/);
  });

  it('names unemulated types as warnings, errors with strict; recorded types stay quiet', () => {
    const t = {
      Resources: {
        Api: { Type: 'AWS::ApiGatewayV2::Api', Properties: {} },
        Stage: { Type: 'AWS::ApiGatewayV2::Stage', Properties: {} },
        Role: { Type: 'AWS::IAM::Role', Properties: {} },
        Ok: fn('nodejs22.x'),
      },
    } as CfnTemplate;
    const lenient = checkTemplate(t);
    expect(lenient.errors).toEqual([]);
    expect(lenient.warnings).toEqual([
      'AWS::ApiGatewayV2::Api is not emulated: Api is recorded, nothing runs',
      'AWS::ApiGatewayV2::Stage is not emulated: Stage is recorded, nothing runs',
    ]);
    expect(checkTemplate(t, true).errors).toHaveLength(2);
  });

  it('refuses event sources it has no poller for', () => {
    const r = checkTemplate({
      Resources: {
        M: {
          Type: 'AWS::Lambda::EventSourceMapping',
          Properties: { EventSourceArn: 'arn:aws:kafka:us-east-1:1:cluster/x' },
        },
      },
    } as CfnTemplate);
    expect(r.errors[0]).toMatch(
      /^M \(AWS::Lambda::EventSourceMapping\): event source kafka is not supported/,
    );
  });
});
