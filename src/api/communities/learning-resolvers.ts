import type { IResolvers } from 'mercurius';
import { z } from 'zod';
import { communityPersonOf } from '../../domain/communities/community-values.ts';
import { can } from '../../domain/communities/policy.ts';
import { type DomainError, forbidden, notFound } from '../../domain/shared/domain-error.ts';
import { generateCheckpoint } from '../../services/communities/checkpoint-generation.ts';
import {
  approveCheckpoint,
  draftCheckpoint,
  reviseCheckpoint,
} from '../../services/communities/checkpoints.ts';
import type { CommunityDeps } from '../../services/communities/deps.ts';
import {
  draftLearningModule,
  publishLearningModule,
  reviseLearningModule,
} from '../../services/communities/modules.ts';
import {
  createLearningPath,
  orderLearningPathModules,
  publishLearningPath,
  updateLearningPath,
} from '../../services/communities/paths.ts';
import { requireReadPermission } from '../../services/communities/read-access.ts';
import {
  checkpointNotFound,
  moduleNotFound,
  pathNotFound,
  unseenAsMissing,
} from '../../services/communities/unseen-as-missing.ts';
import type { RequestContext } from '../../services/shared/command-context.ts';
import { connection, encodeCursor, pageOf } from '../pagination.ts';
import { callerFor, type GraphQLContext, type RequestScope } from '../request-scope.ts';
import type { CommunityView } from './community-mappers.ts';
import { standingIn } from './community-standing.ts';
import {
  type LearningMediaView,
  type LearningModuleView,
  type LearningPathView,
  type LearningReader,
  toCheckpoint,
  toLearningModule,
  toLearningPath,
  toModuleVersion,
} from './learning-mappers.ts';
import {
  type CheckpointRow,
  checkpointVersionOf,
  findCheckpoint,
  findModule,
  findPath,
  listModuleVersions,
  listPaths,
  type ModuleRow,
  modulesOfPath,
  moduleVersions,
  type PathRow,
  pathCursor,
} from './learning-queries.ts';

type Args = Record<string, unknown>;
type Resolver = (root: unknown, args: Args, context: GraphQLContext) => Promise<unknown>;
type UseCase = (deps: CommunityDeps, context: RequestContext, raw: unknown) => Promise<string>;

const uuid = z.uuid().transform((id) => id.toLowerCase());
const textMode = z.boolean().nullish();
const pathArgs = z.object({ id: uuid, textMode });
const moduleArgs = z.object({ id: uuid, version: z.number().int().min(1).nullish(), textMode });
const checkpointArgs = z.object({ id: uuid, version: z.number().int().min(1).nullish() });
const modulesArgs = z.object({ textMode });
const pathsArgs = z.object({ first: z.number().int().nullish(), after: z.string().nullish(), textMode });

/**
 * Learning content. Reads judge from the read models: the reader must be a member of the content's
 * community (`requireReadPermission`, or the standing of the Community the field hangs off), and
 * what they see depends on whether they may publish there; to anyone else an object asked for by
 * id does not exist. Changes go through the use cases, which judge from the streams, and answer with the
 * content as the caller (a publisher) now sees it.
 */
export function learningResolvers(): IResolvers {
  const query: Record<string, Resolver> = {
    learningPath: async (_root, args, { scope }) => {
      const { id, textMode: text } = pathArgs.parse(args);
      return pathView(scope, id, text ?? false);
    },
    learningModule: async (_root, args, { scope }) => {
      const { id, version, textMode: text } = moduleArgs.parse(args);
      return moduleView(scope, id, version ?? null, text ?? false);
    },
    checkpoint: async (_root, args, { scope }) => {
      const { id, version } = checkpointArgs.parse(args);
      return checkpointView(scope, id, version ?? null);
    },
  };

  const mutate =
    (useCase: UseCase, view: (scope: RequestScope, id: string) => Promise<unknown>): Resolver =>
    async (_root, args, { scope }) => {
      const caller = await callerFor(scope, 'write');
      return view(scope, await useCase(scope.communities, caller, args));
    };
  const asPath = (scope: RequestScope, id: string) => pathView(scope, id, false);
  const asModule = (scope: RequestScope, id: string) => moduleView(scope, id, null, false);
  const asCheckpoint = (scope: RequestScope, id: string) => checkpointView(scope, id, null);

  return {
    Query: query,
    Mutation: {
      createLearningPath: mutate(createLearningPath, asPath),
      updateLearningPath: mutate(updateLearningPath, asPath),
      orderLearningPathModules: mutate(orderLearningPathModules, asPath),
      publishLearningPath: mutate(publishLearningPath, asPath),
      draftLearningModule: mutate(draftLearningModule, asModule),
      reviseLearningModule: mutate(reviseLearningModule, asModule),
      publishLearningModule: mutate(publishLearningModule, asModule),
      draftCheckpoint: mutate(draftCheckpoint, asCheckpoint),
      reviseCheckpoint: mutate(reviseCheckpoint, asCheckpoint),
      generateCheckpoint: mutate(generateCheckpoint, asCheckpoint),
      approveCheckpoint: mutate(approveCheckpoint, asCheckpoint),
    },
    Community: {
      learningPaths: async (community: CommunityView, args: Args, { scope }: GraphQLContext) => {
        const { textMode: text, ...rawPage } = pathsArgs.parse(args);
        const { role } = standingIn(community, 'community.read');
        const reader = {
          readerId: community.viewerId ?? '',
          publisher: can(role, 'learning.publish'),
          textMode: text ?? false,
        };
        const page = pageOf(rawPage, 1);
        const rows = await listPaths(scope.services.pool, community.id, !reader.publisher, page);
        return connection(rows, page, undefined, pathCursor, (row) => toLearningPath(row, reader));
      },
    },
    LearningPath: {
      modules: async (path: LearningPathView, args: Args, { scope }: GraphQLContext) => {
        const { textMode: text } = modulesArgs.parse(args);
        const reader = { ...path.reader, textMode: text ?? path.reader.textMode };
        return modulesShown(scope, path.row, reader);
      },
    },
    // URLs are signed when asked for (never in text mode: the mapper leaves them null).
    LearningMedia: {
      url: (media: LearningMediaView) => media.url?.() ?? null,
      thumbnailUrl: (media: LearningMediaView) => media.thumbnailUrl?.() ?? null,
    },
    LearningModule: {
      versions: async (module: LearningModuleView, args: Args, { scope }: GraphQLContext) => {
        if (!module.reader.publisher) {
          throw forbidden('MISSING_PERMISSION', 'Only publishers see a module’s versions');
        }
        const page = pageOf(args, 1);
        const rows = await listModuleVersions(scope.services.pool, module.communityId, module.id, page);
        const nodes = rows
          .slice(0, page.first)
          .map((row, index) => toModuleVersion(row, rows[index + 1], module.publishedVersion));
        const edges = nodes.map((node) => ({ cursor: encodeCursor([String(node.version)]), node }));
        return {
          edges,
          nodes,
          pageInfo: {
            hasNextPage: (nodes.at(-1)?.version ?? 1) > 1,
            hasPreviousPage: page.after !== undefined,
            startCursor: edges[0]?.cursor ?? null,
            endCursor: edges.at(-1)?.cursor ?? null,
          },
        };
      },
    },
  };
}

/**
 * The reader of an object of a community's learning content, asked for by its id: a member. To
 * whoever may not see the community the object does not exist (`missing`, as for a made-up id).
 */
async function readerIn(
  scope: RequestScope,
  communityId: string,
  text: boolean,
  missing: () => DomainError,
): Promise<LearningReader> {
  const { actor } = await callerFor(scope, 'public');
  const readerId = actor.kind === 'anonymous' ? null : communityPersonOf(actor).toLowerCase();
  const access = await unseenAsMissing(
    requireReadPermission(scope.services.pool, communityId, readerId, 'community.read'),
    missing,
  );
  return { readerId: readerId ?? '', publisher: can(access.role, 'learning.publish'), textMode: text };
}

async function pathView(scope: RequestScope, pathId: string, text: boolean) {
  const row = await findPath(scope.services.pool, pathId);
  if (!row) throw pathNotFound();
  const reader = await readerIn(scope, row.community_id, text, pathNotFound);
  if (!reader.publisher && row.published_version === 0) throw pathNotFound();
  return toLearningPath(row, reader);
}

/** A learner sees a module that is published and in its path's published order. */
async function visibleToLearners(scope: RequestScope, module: ModuleRow): Promise<boolean> {
  if (module.published_version === null) return false;
  const path = await findPath(scope.services.pool, module.path_id);
  return !!path && path.published_version > 0 && path.published_module_ids.includes(module.module_id);
}

async function moduleView(scope: RequestScope, moduleId: string, version: number | null, text: boolean) {
  const { pool } = scope.services;
  const module = await findModule(pool, moduleId);
  if (!module) throw moduleNotFound();
  const reader = await readerIn(scope, module.community_id, text, moduleNotFound);
  if (!reader.publisher && !(await visibleToLearners(scope, module))) throw moduleNotFound();
  const shown = reader.publisher ? (version ?? module.latest_version) : module.published_version;
  if (shown === null || (version !== null && version !== shown)) {
    throw notFound('VERSION_NOT_FOUND', 'The module has no such version for you', { version });
  }
  const row = (await moduleVersions(pool, module.community_id, [{ moduleId, version: shown }])).get(
    `${moduleId}:${shown}`,
  );
  if (!row) throw notFound('VERSION_NOT_FOUND', 'The module has no such version', { version: shown });
  return toLearningModule(module, row, reader);
}

/** A path's modules as the reader sees them, each at its shown version, read in two statements. */
async function modulesShown(scope: RequestScope, path: PathRow, reader: LearningReader) {
  const { pool } = scope.services;
  const all = await modulesOfPath(pool, path.community_id, path.path_id);
  const byId = new Map(all.map((module) => [module.module_id, module]));
  const order = reader.publisher
    ? [...path.module_ids, ...all.map((m) => m.module_id).filter((id) => !path.module_ids.includes(id))]
    : path.published_module_ids;
  const shown = order.flatMap((id) => {
    const module = byId.get(id);
    const version = module && (reader.publisher ? module.latest_version : module.published_version);
    return module && version ? [{ module, version }] : [];
  });
  const versions = await moduleVersions(
    pool,
    path.community_id,
    shown.map(({ module, version }) => ({ moduleId: module.module_id, version })),
  );
  return shown.flatMap(({ module, version }) => {
    const row = versions.get(`${module.module_id}:${version}`);
    return row ? [toLearningModule(module, row, reader)] : [];
  });
}

async function checkpointView(scope: RequestScope, checkpointId: string, version: number | null) {
  const { pool } = scope.services;
  const row = await findCheckpoint(pool, checkpointId);
  if (!row) throw checkpointNotFound();
  const reader = await readerIn(scope, row.community_id, false, checkpointNotFound);
  if (!reader.publisher) {
    const module = await findModule(pool, row.module_id);
    if (row.approved_version === null || !module || !(await visibleToLearners(scope, module))) {
      throw checkpointNotFound();
    }
  }
  const view = await checkpointAt(scope, row, version, reader);
  if (!view) throw notFound('VERSION_NOT_FOUND', 'The checkpoint has no such version for you', { version });
  return view;
}

/** Learners: the approved version only; publishers: the one asked for, else the latest. */
async function checkpointAt(
  scope: RequestScope,
  row: CheckpointRow,
  version: number | null,
  reader: LearningReader,
) {
  const shown = reader.publisher ? (version ?? row.latest_version) : row.approved_version;
  if (shown === null || (version !== null && version !== shown)) return null;
  const versionRow = await checkpointVersionOf(
    scope.services.pool,
    row.community_id,
    row.checkpoint_id,
    shown,
  );
  return versionRow ? toCheckpoint(row, versionRow, reader) : null;
}
