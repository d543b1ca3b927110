/**
 * CloudFormation at the edge (query protocol, as the SDKs, both AWS CLIs and
 * the CDK CLI speak it): stacks, change sets, events, resources, templates,
 * exports — over the StackEngine, which applies templates with the one
 * deploy engine (localcloud/deploy).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CloudContext, EdgeService } from '../contracts';
import { sendAwsError, unimplementedMessage } from '../edge/aws-errors';
import { asArray, decodeQueryForm, queryResponse, toXml } from '../edge/query-protocol';
import type { ParameterStore } from '../ssm/parameter-store';
import { StackEngine, type ChangeSetRequest } from './stack-engine';
import { ValidationError } from './stack-input';
import type { StackState } from './stack-store';
import { registerStackPersistence } from './stack-persistence';
import {
  changeSetView,
  eventViews,
  resourceViews,
  stackView,
  summaryResourceViews,
  summaryView,
  templateSummary,
} from './stack-views';
import { readTemplateSource, TemplateSourceError } from './template-source';

const XMLNS = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';
/**
 * How long ExecuteChangeSet / CreateStack / UpdateStack / DeleteStack wait
 * for the operation before answering. AWS answers at once, and so would this
 * (the operation goes on in the background either way); but local stacks
 * mostly settle within this, and the cdk CLI polls every 5 s, so a stack
 * already settled at its first poll saves the user one poll per command.
 */
const SETTLE_MS = 3_000;

const settled = (p: Promise<void>) =>
  Promise.race([p, new Promise<void>((r) => setTimeout(r, SETTLE_MS).unref())]);
const PAGE = 100;

type Input = Record<string, unknown>;
type Result = Record<string, unknown> | undefined | Promise<Record<string, unknown> | undefined>;

function page<T>(items: T[], token: unknown): { items: T[]; next?: string } {
  const start = Number(token ?? 0) || 0;
  const end = start + PAGE;
  return { items: items.slice(start, end), ...(end < items.length ? { next: String(end) } : {}) };
}

function request(i: Input): ChangeSetRequest {
  return {
    ...(i as unknown as ChangeSetRequest),
    Parameters: asArray(i.Parameters) as ChangeSetRequest['Parameters'],
    Capabilities: asArray<string>(i.Capabilities),
    Tags: asArray(i.Tags) as ChangeSetRequest['Tags'],
  };
}

export class CloudFormationService implements EdgeService {
  readonly signingNames = ['cloudformation'] as const;
  readonly engine: StackEngine;

  constructor(
    private readonly ctx: CloudContext,
    ssm: ParameterStore,
    opts: { strict?: boolean } = {},
  ) {
    this.engine = new StackEngine({ ctx, ssm, strict: opts.strict });
    registerStackPersistence(ctx, this.engine.store);
  }

  private stackFor(i: Input): StackState {
    return this.engine.live(String(i.StackName ?? ''));
  }

  private readonly operations: Record<string, (i: Input) => Result> = {
    CreateStack: async (i) => {
      const { stackId, done } = this.engine.createOrUpdate(request(i), 'CREATE');
      await settled(done);
      return { StackId: stackId };
    },
    UpdateStack: async (i) => {
      const { stackId, done } = this.engine.createOrUpdate(request(i), 'UPDATE');
      await settled(done);
      return { StackId: stackId };
    },
    DeleteStack: async (i) => {
      await settled(this.engine.deleteStack(String(i.StackName ?? '')));
      return undefined;
    },
    CreateChangeSet: (i) => this.engine.createChangeSet(request(i)),
    DescribeChangeSet: (i) => {
      const cs = this.engine.findChangeSet(
        String(i.ChangeSetName),
        i.StackName as string | undefined,
      );
      const view = changeSetView(cs, this.engine.store.state.stacks[cs.stackId]!);
      const { items, next } = page(view.Changes, i.NextToken);
      return { ...view, Changes: items, ...(next ? { NextToken: next } : {}) };
    },
    ExecuteChangeSet: async (i) => {
      await settled(
        this.engine.executeChangeSet(
          String(i.ChangeSetName),
          i.StackName as string | undefined,
          i.DisableRollback === 'true',
        ),
      );
      return {};
    },
    DeleteChangeSet: (i) => {
      this.engine.deleteChangeSet(String(i.ChangeSetName), i.StackName as string | undefined);
      return {};
    },
    ListChangeSets: (i) => ({
      Summaries: Object.values(this.stackFor(i).changeSets).map((cs) => ({
        StackId: cs.stackId,
        StackName: String(i.StackName),
        ChangeSetId: cs.id,
        ChangeSetName: cs.name,
        ExecutionStatus: cs.executionStatus,
        Status: cs.status,
        CreationTime: new Date(cs.created),
      })),
    }),
    DescribeStacks: (i) => {
      const stacks =
        i.StackName !== undefined
          ? [this.stackFor(i)]
          : this.engine.store.list().filter((s) => s.status !== 'DELETE_COMPLETE');
      const { items, next } = page(stacks.map(stackView), i.NextToken);
      return { Stacks: items, ...(next ? { NextToken: next } : {}) };
    },
    ListStacks: (i) => {
      const filter = asArray<string>(i.StackStatusFilter);
      const all = this.engine.store
        .list()
        .filter((s) => filter.length === 0 || filter.includes(s.status));
      const { items, next } = page(all.map(summaryView), i.NextToken);
      return { StackSummaries: items, ...(next ? { NextToken: next } : {}) };
    },
    DescribeStackEvents: (i) => {
      const { items, next } = page(eventViews(this.stackFor(i)), i.NextToken);
      return { StackEvents: items, ...(next ? { NextToken: next } : {}) };
    },
    DescribeStackResources: (i) => ({
      StackResources: resourceViews(
        this.stackFor(i),
        i.LogicalResourceId as string | undefined,
      ).map(({ LastUpdatedTimestamp: _ignored, ...r }) => r),
    }),
    DescribeStackResource: (i) => {
      const r = resourceViews(this.stackFor(i), String(i.LogicalResourceId))[0];
      if (!r)
        throw new ValidationError(
          `Resource ${String(i.LogicalResourceId)} does not exist for stack ${String(i.StackName)}`,
        );
      const { Timestamp: _ignored, ...detail } = r;
      return { StackResourceDetail: { ...detail, Metadata: '{}' } };
    },
    ListStackResources: (i) => {
      const { items, next } = page(summaryResourceViews(this.stackFor(i)), i.NextToken);
      return { StackResourceSummaries: items, ...(next ? { NextToken: next } : {}) };
    },
    GetTemplate: (i) => {
      const s = this.stackFor(i);
      const cs = i.ChangeSetName
        ? this.engine.findChangeSet(String(i.ChangeSetName), s.id)
        : undefined;
      return { TemplateBody: cs?.body ?? s.body, StagesAvailable: ['Original', 'Processed'] };
    },
    GetTemplateSummary: (i) => {
      const s = i.StackName !== undefined ? this.stackFor(i) : undefined;
      const t = s
        ? readTemplateSource({ TemplateBody: s.body }, undefined).template
        : readTemplateSource(i, this.ctx.objects).template;
      return templateSummary(t);
    },
    ValidateTemplate: (i) => {
      const { Parameters, Description, Capabilities, CapabilitiesReason, DeclaredTransforms } =
        templateSummary(readTemplateSource(i, this.ctx.objects).template);
      return {
        Parameters: Parameters.map((p) => ({
          ParameterKey: p.ParameterKey,
          DefaultValue: p.DefaultValue,
          NoEcho: p.NoEcho,
          Description: p.Description,
        })),
        Description,
        Capabilities,
        CapabilitiesReason,
        DeclaredTransforms,
      };
    },
    ListExports: () => ({
      Exports: Object.entries(this.engine.store.state.exports).map(([Name, e]) => ({
        ExportingStackId: e.stackId,
        Name,
        Value: e.value,
      })),
    }),
    ListImports: (i) => {
      const name = String(i.ExportName ?? '');
      const users = this.engine.store
        .list()
        .filter((s) => s.status !== 'DELETE_COMPLETE' && s.imports.includes(name));
      if (users.length === 0)
        throw new ValidationError(`Export '${name}' is not imported by any stack.`);
      return { Imports: users.map((s) => s.name) };
    },
    UpdateTerminationProtection: (i) => {
      const s = this.stackFor(i);
      s.terminationProtection = i.EnableTerminationProtection === 'true';
      return { StackId: s.id };
    },
    SetStackPolicy: () => ({}),
    GetStackPolicy: () => ({}),
  };

  async handle(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
    const text =
      req.method === 'GET'
        ? (req.url ?? '').slice((req.url ?? '').indexOf('?') + 1)
        : body.toString('utf8');
    const { action, params } = decodeQueryForm(text);
    const op = this.operations[action];
    if (!op) {
      sendAwsError(res, 'query', {
        code: 'InvalidAction',
        message: unimplementedMessage('cloudformation', action),
        xmlNamespace: XMLNS,
      });
      return;
    }
    try {
      const result = await op(params);
      const xml = queryResponse(action, XMLNS, result === undefined ? undefined : toXml(result));
      res.writeHead(200, { 'Content-Type': 'text/xml', 'Content-Length': Buffer.byteLength(xml) });
      res.end(xml);
    } catch (err) {
      if (err instanceof TemplateSourceError) {
        sendAwsError(res, 'query', {
          code: 'ValidationError',
          message: err.message,
          xmlNamespace: XMLNS,
        });
        return;
      }
      if (!(err instanceof ValidationError)) throw err;
      sendAwsError(res, 'query', { code: err.code, message: err.message, xmlNamespace: XMLNS });
    }
  }

  async close(): Promise<void> {
    await this.engine.close();
  }
}
