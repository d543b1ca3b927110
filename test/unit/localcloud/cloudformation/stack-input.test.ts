import { describe, expect, it } from 'vitest';
import {
  checkCapabilities,
  resolveParameters,
  resourceChanges,
} from '../../../../localcloud/cloudformation/stack-input';
import {
  parseTemplateBody,
  s3Location,
} from '../../../../localcloud/cloudformation/template-source';
import { ParameterStore } from '../../../../localcloud/ssm/parameter-store';
import type { CfnTemplate } from '../../../../localcloud/deploy/template';

describe('templates as CloudFormation receives them', () => {
  it('reads YAML with short-form tags', () => {
    const t = parseTemplateBody(
      'Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !Sub "${AWS::StackName}-q"\n      Tags:\n        - Key: a\n          Value: !GetAtt Other.Arn\n',
    );
    expect(t.Resources.Q!.Properties).toEqual({
      QueueName: { 'Fn::Sub': '${AWS::StackName}-q' },
      Tags: [{ Key: 'a', Value: { 'Fn::GetAtt': ['Other', 'Arn'] } }],
    });
    expect(() => parseTemplateBody('{"Resources":{}}')).toThrow(/At least one Resources member/);
  });

  it('finds the S3 object a TemplateURL names, path or virtual-host style', () => {
    expect(s3Location('https://s3.us-east-1.amazonaws.com/cdk-assets/abc.json')).toEqual({
      bucket: 'cdk-assets',
      key: 'abc.json',
    });
    expect(s3Location('https://cdk-assets.s3.us-east-1.amazonaws.com/d/abc.json')).toEqual({
      bucket: 'cdk-assets',
      key: 'd/abc.json',
    });
    expect(s3Location('http://127.0.0.1:4566/b/k')).toEqual({ bucket: 'b', key: 'k' });
  });
});

describe('parameters, capabilities and changes', () => {
  const template = {
    Parameters: {
      Version: { Type: 'AWS::SSM::Parameter::Value<String>', Default: '/cdk-bootstrap/x/version' },
      Size: { Type: 'Number', Default: '1', AllowedValues: ['1', '2'] },
    },
    Resources: { Q: { Type: 'AWS::SQS::Queue', Properties: { DelaySeconds: { Ref: 'Size' } } } },
  } as unknown as CfnTemplate;

  it('resolves SSM-backed parameters from Parameter Store and checks allowed values', () => {
    const ssm = new ParameterStore();
    expect(() => resolveParameters(template, [], [], ssm)).toThrow(
      'Unable to fetch parameters [/cdk-bootstrap/x/version] from parameter store for this account.',
    );
    ssm.put({ name: '/cdk-bootstrap/x/version', value: '30' });
    const r = resolveParameters(template, [{ ParameterKey: 'Size', ParameterValue: '2' }], [], ssm);
    expect(r.plain).toEqual({ Version: '30', Size: '2' });
    expect(r.values[0]).toEqual({
      key: 'Version',
      value: '/cdk-bootstrap/x/version',
      resolved: '30',
    });
    expect(() =>
      resolveParameters(template, [{ ParameterKey: 'Size', ParameterValue: '3' }], [], ssm),
    ).toThrow(/AllowedValues/);
    expect(() =>
      resolveParameters(template, [{ ParameterKey: 'Nope', ParameterValue: '3' }], [], ssm),
    ).toThrow(/do not exist/);
  });

  it('asks for CAPABILITY_IAM when the template has IAM resources', () => {
    const iam = { Resources: { R: { Type: 'AWS::IAM::Role', Properties: {} } } } as CfnTemplate;
    expect(() => checkCapabilities(iam, [])).toThrow('Requires capabilities : [CAPABILITY_IAM]');
    expect(() => checkCapabilities(iam, ['CAPABILITY_NAMED_IAM'])).not.toThrow();
  });

  it('lists added, modified (also through a changed parameter) and removed resources', () => {
    const before = {
      template: {
        Resources: { Q: template.Resources.Q!, Gone: { Type: 'AWS::SQS::Queue', Properties: {} } },
      } as CfnTemplate,
      parameters: [{ key: 'Size', value: '1' }],
      physicalIds: { Q: 'url-q', Gone: 'url-gone' },
    };
    const after = {
      template: {
        Resources: { Q: template.Resources.Q!, New: { Type: 'AWS::SQS::Queue', Properties: {} } },
      } as CfnTemplate,
      parameters: [{ key: 'Size', value: '2' }],
    };
    expect(resourceChanges(before, after).map((c) => [c.action, c.logicalId, c.details])).toEqual([
      ['Modify', 'Q', ['DelaySeconds']],
      ['Add', 'New', []],
      ['Remove', 'Gone', []],
    ]);
  });
});
