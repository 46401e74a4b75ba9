import type { IResolvers } from 'mercurius';
import { z } from 'zod';
import { diffVersions } from '../../domain/content/version-diff.ts';
import { notFound } from '../../domain/shared/domain-error.ts';
import {
  approveContent,
  archiveContent,
  bulkArchiveContent,
  bulkUpdateContent,
  cancelPublish,
  createContent,
  publishContent,
  rejectContent,
  restoreVersion,
  submitContent,
  unpublishContent,
  updateContent,
} from '../../services/content/content.ts';
import type { PublishingDeps } from '../../services/publishing-deps.ts';
import type { RequestContext } from '../../services/shared/command-context.ts';
import { brandViewerOf } from '../brands/read-model-queries.ts';
import { connection } from '../pagination.ts';
import { callerFor, type GraphQLContext, type RequestScope } from '../request-scope.ts';
import {
  type ContentView,
  contentCursor,
  toContent,
  toDiffChanges,
  toSearchHit,
  toVersion,
  toWorkflow,
  versionCursor,
} from './mappers.ts';
import {
  findContent,
  findContents,
  findVersionPair,
  findWorkflow,
  listContents,
  listVersions,
  searchContents,
} from './read-model-queries.ts';

type Args = Record<string, unknown>;
type Resolver = (root: unknown, args: Args, context: GraphQLContext) => Promise<unknown>;
type ContentField = (content: ContentView, args: Args, context: GraphQLContext) => Promise<unknown>;
type ContentUseCase = (deps: PublishingDeps, context: RequestContext, raw: unknown) => Promise<string>;

const contentIdArgs = z.object({ id: z.uuid() });
const versionsArgs = z.object({ contentId: z.uuid(), page: z.unknown().optional() });
const compareArgs = z.object({
  contentId: z.uuid(),
  from: z.number().int().min(1),
  to: z.number().int().min(1),
});
const workflowArgs = z.object({ contentId: z.uuid() });

export function contentResolvers(): IResolvers {
  const query: Record<string, Resolver> = {
    content: async (_root, args, { scope }) => {
      const caller = await callerFor(scope, 'read');
      return contentView(scope, caller, contentIdArgs.parse(args).id);
    },
    contents: async (_root, args, { scope }) => {
      const caller = await callerFor(scope, 'read');
      const { rows, page, total } = await listContents(
        scope.services.pool,
        brandViewerOf(caller.actor),
        args,
      );
      return connection(rows, page, total, contentCursor, toContent);
    },
    searchContent: async (_root, args, { scope }) => {
      const caller = await callerFor(scope, 'read');
      const started = performance.now();
      const { hits, suggestions, partialRanking } = await searchContents(
        scope.services.pool,
        brandViewerOf(caller.actor),
        args,
      );
      return {
        hits: hits.map(toSearchHit),
        suggestions,
        partialRanking,
        tookMs: performance.now() - started,
      };
    },
    contentVersions: async (_root, args, { scope }) => {
      const caller = await callerFor(scope, 'read');
      const { contentId, page } = versionsArgs.parse(args);
      await visibleContent(scope, caller, contentId);
      return versionsOf(scope, contentId, page);
    },
    compareVersions: async (_root, args, { scope }) => {
      const caller = await callerFor(scope, 'read');
      const { contentId, from, to } = compareArgs.parse(args);
      await visibleContent(scope, caller, contentId);
      const { from: before, to: after } = await findVersionPair(scope.services.pool, contentId, from, to);
      if (!before || !after)
        throw notFound('VERSION_NOT_FOUND', `No version ${before ? to : from} of this content`);
      const diff = diffVersions(before, after);
      return { from, to, identical: diff.identical, changes: toDiffChanges(diff) };
    },
    workflowProgress: async (_root, args, { scope }) => {
      const caller = await callerFor(scope, 'read');
      const content = await contentView(scope, caller, workflowArgs.parse(args).contentId);
      return content ? workflowOf(scope, content) : null;
    },
  };

  /** Every content mutation answers with the content as it is after the change. */
  const mutate =
    (useCase: ContentUseCase): Resolver =>
    async (_root, args, { scope }) => {
      const caller = await callerFor(scope, 'write');
      const contentId = await useCase(scope.publishing, caller, args);
      return visibleContent(scope, caller, contentId);
    };

  const content: Record<string, ContentField> = {
    workflow: async (parent, _args, { scope }) => workflowOf(scope, parent),
    versions: async (parent, args, { scope }) => versionsOf(scope, parent.id, args.page),
  };

  return {
    Query: query,
    Mutation: {
      createContent: mutate(createContent),
      updateContent: mutate(updateContent),
      restoreVersion: mutate(restoreVersion),
      submitContent: mutate(submitContent),
      approveContent: mutate(approveContent),
      rejectContent: mutate(rejectContent),
      publishContent: mutate(publishContent),
      cancelPublish: mutate(cancelPublish),
      unpublishContent: mutate(unpublishContent),
      archiveContent: mutate(archiveContent),
      bulkArchiveContent: async (_root, args, { scope }) => {
        const caller = await callerFor(scope, 'write');
        return bulkArchiveContent(scope.publishing, caller, args);
      },
      bulkUpdateContent: async (_root, args, { scope }) => {
        const caller = await callerFor(scope, 'write');
        const { updated, failed } = await bulkUpdateContent(scope.publishing, caller, args);
        // One read for every edited content, after all of them landed.
        const rows = await findContents(scope.services.pool, brandViewerOf(caller.actor), updated);
        return {
          updated: updated.flatMap((id) => {
            const row = rows.get(id);
            return row ? [toContent(row)] : [];
          }),
          failed,
        };
      },
    },
    Content: content,
  };
}

async function contentView(scope: RequestScope, caller: RequestContext, contentId: string) {
  const row = await findContent(scope.services.pool, brandViewerOf(caller.actor), contentId);
  return row ? toContent(row) : null;
}

async function visibleContent(scope: RequestScope, caller: RequestContext, contentId: string) {
  const content = await contentView(scope, caller, contentId);
  if (!content) throw notFound('CONTENT_NOT_FOUND', 'No such content');
  return content;
}

async function versionsOf(scope: RequestScope, contentId: string, rawPage: unknown) {
  const { rows, page, total } = await listVersions(scope.services.pool, contentId, rawPage);
  return connection(rows, page, total, versionCursor, toVersion);
}

export async function workflowOf(
  scope: Pick<RequestScope, 'services'>,
  content: Pick<ContentView, 'id' | 'status'>,
) {
  const { review, publication } = await findWorkflow(scope.services.pool, content.id);
  return toWorkflow(content.id, content.status, review, publication);
}
