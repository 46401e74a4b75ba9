import type pg from 'pg';
import { z } from 'zod';
import type { LoadDeps } from '../../commands/load-aggregate.ts';
import type { AggregateSpec } from '../../commands/types.ts';
import type { Actor, DomainEvent } from '../../domain/shared/decider.ts';
import { forbidden, notFound } from '../../domain/shared/domain-error.ts';
import {
  envelope,
  execute,
  nowFrom,
  type RequestContext,
  type ServiceDeps,
} from '../shared/command-context.ts';
import { requireCommunityPermission } from './access.ts';

/**
 * Inputs as every learning use case takes them. Ids are UUIDs lower-cased at the edge; texts are
 * bounded loosely here (the deciders' reasons are what a caller should see), only so an absurd
 * request is not read at all.
 */
export const learningId = z.uuid().transform((id) => id.toLowerCase());
export const idempotencyKey = z.string().min(8).max(128).nullish();
export const looseText = z.string().max(200_000);
export const mediaIds = z.array(learningId).max(100);
export const version = z.number().int().min(1);

/** One command, issued through the pipeline with the request's correlation and the clock. */
export function issue<Command, Event extends DomainEvent, State>(
  deps: ServiceDeps,
  context: RequestContext,
  aggregate: AggregateSpec<Command, Event, State>,
  stream: string,
  commandId: string,
  command: Command,
) {
  return execute(deps, aggregate, stream, envelope(context, commandId, nowFrom(deps), command));
}

/** Mentors, moderators and the owner author learning content (`learning.publish`), judged on record. */
export function requirePublisher(deps: LoadDeps, communityId: string, actor: Actor) {
  return requireCommunityPermission(deps, communityId, actor, 'learning.publish');
}

/**
 * Media a module shows must be ready assets of the author's own, from the media pipeline: anyone
 * else's (or an unknown id) is MEDIA_NOT_FOUND, so nobody learns which asset ids exist; one still
 * processing, failed, deleted or rejected by moderation is MEDIA_NOT_READY. `kept` are assets the
 * module already shows (put there by another author), which stay allowed.
 */
export async function requireOwnReadyMedia(
  pool: Pick<pg.Pool, 'query'>,
  authorId: string,
  assetIds: readonly string[],
  kept: readonly string[] = [],
): Promise<void> {
  const keptIds = new Set(kept.map((id) => id.toLowerCase()));
  const added = assetIds.filter((id) => !keptIds.has(id.toLowerCase()));
  if (added.length === 0) return;
  const { rows } = await pool.query<{
    asset_id: string;
    owner_id: string;
    status: string;
    rejected: boolean;
  }>(
    `select asset_id, owner_id, status, coalesce(moderation->>'decision' = 'rejected', false) as rejected
       from media_assets where asset_id = any($1::uuid[])`,
    [added],
  );
  const found = new Map(rows.map((row) => [row.asset_id, row]));
  for (const assetId of added) {
    const asset = found.get(assetId.toLowerCase());
    if (!asset || asset.owner_id !== authorId.toLowerCase()) {
      throw notFound('MEDIA_NOT_FOUND', 'No such media asset of yours', { assetId });
    }
    if (asset.status !== 'ready' || asset.rejected) {
      throw forbidden('MEDIA_NOT_READY', 'Only ready media can be shown in a module', {
        assetId,
        status: asset.status,
      });
    }
  }
}
