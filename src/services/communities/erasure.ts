import type pg from 'pg';
import { z } from 'zod';
import type { LoadDeps } from '../../commands/load-aggregate.ts';
import { loadAggregate } from '../../commands/load-aggregate.ts';
import { communityAggregate } from '../../domain/communities/community-decider.ts';
import type { CommunityEvent } from '../../domain/communities/community-events.ts';
import { communityPersonOf, sameId } from '../../domain/communities/community-values.ts';
import {
  communityMemberSubject,
  communityStream,
  communitySubject,
} from '../../domain/communities/streams.ts';
import { DomainError, notFound } from '../../domain/shared/domain-error.ts';
import type { EventStore, Position, RecordedEvent } from '../../eventstore/port.ts';
import type { PersonalDataKeys } from '../../privacy/personal-data-keys.ts';
import {
  COMMUNITIES_PROJECTION,
  COMMUNITY_COMMUNITIES,
  COMMUNITY_MEMBERS,
} from '../../projections/read-models/communities.ts';
import { readState } from '../../projections/state.ts';
import type { RequestContext } from '../shared/command-context.ts';
import { communityOnRecord } from './access.ts';
import { recordCommunityErasure } from './communities.ts';
import type { CommunityDeps } from './deps.ts';

/** Every membership event (joined, requested, invited, left, banned, …) is in this category. */
const MEMBERSHIP_CATEGORY = 'communitymember-';
/** Communities' own streams (`communitymember-` and `communitypost-` do not start with it). */
const COMMUNITY_CATEGORY = 'community-';
const PAGE_SIZE = 1000;
const PARALLEL_DESTROYS = 8;

/** The reason's own limits are the command's (recordCommunityErasure): VALIDATION there. */
export const eraseCommunityInput = z.object({ communityId: z.uuid(), reason: z.string() });

/** What the owner gets back: once it is returned, every key is destroyed. */
export interface CommunityErasureReceipt {
  communityId: string;
  erasedBy: string;
  reason: string;
  /** When the CommunityErased event was recorded. */
  erasedAt: string;
  /** Global position of the CommunityErased event. */
  position: bigint | null;
  /** People whose key for this community is destroyed: everyone who ever belonged, asked or was invited. */
  people: number;
  /** Keys destroyed now; the rest (of `people` + the community's own) an earlier erasure destroyed. */
  keysDestroyedNow: number;
  /** True when the community had already been erased: this call finished or re-checked the keys. */
  alreadyErased: boolean;
}

/**
 * Erases a community as a unit, without rewriting history: records `CommunityErased` (every read
 * model of the context deletes the community's rows as it applies it; `community_communities`
 * keeps a tombstone), then destroys the community's own key (description, rules, modules,
 * questions) and the key of everyone who ever belonged for this community (their posts, answers,
 * reflections, ban reasons). Every copy of the history, exports included, then holds ciphertext
 * nobody can read, and a rebuild ends with the same empty tables as the live read models.
 *
 * Who: the owner (`community.erase`, the permissions table). Platform admins may not: the table
 * gives a platform role nothing inside a community, and erasure is final for every member's words,
 * so it is the community's own decision. The platform's obligations are met per person
 * (`forgetUser` destroys a person's text in every community) and per post (moderators' removal).
 *
 * Repeatable and idempotent: the event is recorded once (a second erasure finds it, and the
 * decider refuses a second EraseCommunity, so nothing is appended) and destroying a destroyed key
 * changes nothing, so an erasure interrupted after the event (a crash before the keys went), or a
 * retry whose answer was lost, is finished by asking again; the answer says `alreadyErased`. The
 * owner may finish it, and so may a platform admin: the decision was the owner's and is on record,
 * and finishing it only destroys keys that should already be gone, so an owner who never comes
 * back cannot leave the community's words readable in the history for ever. All of it is done
 * before answering.
 */
export async function eraseCommunity(
  deps: CommunityDeps,
  context: RequestContext,
  raw: unknown,
): Promise<CommunityErasureReceipt> {
  const input = eraseCommunityInput.parse(raw);
  const communityId = input.communityId.toLowerCase();
  const community = await communityOnRecord(deps, communityId);
  if (!community) throw notFound('COMMUNITY_NOT_FOUND', 'No such community');
  let alreadyErased = community.erased;
  let people = new Set<string>();
  if (!alreadyErased) {
    // Read before the event: the read model forgets the community once it applies the erasure.
    const known = await membersInReadModel(deps.pool, communityId);
    try {
      // The owner's alone: the command decides it (FORBIDDEN for anyone else in the community).
      await recordCommunityErasure(deps, context, { communityId, reason: input.reason });
      people = union(known.people, await membersInHistory(deps.store, communityId, known.from));
    } catch (error) {
      // Another erasure got there first: finish it as a repeat would.
      if (!(error instanceof DomainError && error.reason === 'COMMUNITY_ERASED')) throw error;
      alreadyErased = true;
    }
  }
  if (alreadyErased) {
    // An erased community exists for nobody but its owner and the platform's admins, who may
    // finish the erasure.
    if (!isPlatformAdmin(context) && !sameId(community.createdBy, communityPersonOf(context.actor))) {
      throw notFound('COMMUNITY_NOT_FOUND', 'No such community');
    }
    people = await membersInHistory(deps.store, communityId, 'start');
  }
  // The creator is the owner even if their own membership stream was never written (a crash).
  people.add(community.createdBy.toLowerCase());
  const subjects = [
    communitySubject(communityId),
    ...[...people].map((person) => communityMemberSubject(communityId, person)),
  ];
  const keysDestroyedNow = await destroyAll(deps.personalDataKeys, subjects);
  const erased = await erasedEvent(deps, communityId);
  deps.log.info(
    { communityId, people: people.size, keysDestroyedNow, alreadyErased },
    'community erased; its key and its members’ keys for it destroyed',
  );
  return {
    communityId,
    erasedBy: erased.event.data.erasedBy,
    reason: erased.event.data.reason,
    erasedAt: erased.occurredAt,
    position: erased.position,
    people: people.size,
    keysDestroyedNow,
    alreadyErased,
  };
}

const isPlatformAdmin = (context: RequestContext) =>
  context.actor.kind === 'user' && context.actor.role === 'admin';

export interface CommunityTextErasureDeps {
  store: EventStore;
  keys: PersonalDataKeys;
  /** The communities read model; without it the whole membership history is read instead. */
  pool?: pg.Pool;
}

/**
 * Part of forgetting a person: destroys their key in every community they ever belonged to (or
 * asked to join, or were invited to, or created), so their posts, answers, reflections, removal
 * reasons and grading feedback there read null in every copy of the history. Found as erasure finds
 * members: `community_members` and `community_communities` up to the read model's checkpoint, then
 * the membership and community events after it, so a lagging projector misses nobody. A creator
 * counts even without a membership: creation writes the community before the creator's join, and a
 * crash in between leaves an owner (access.ts) with no join on record. Idempotent. Answers in how
 * many communities.
 */
export async function destroyCommunityTextOf(
  deps: CommunityTextErasureDeps,
  userId: string,
): Promise<number> {
  const person = userId.toLowerCase();
  const communities = new Set<string>();
  let from: Position | 'start' = 'start';
  const live = deps.pool ? await liveCheckpoint(deps.pool) : null;
  if (deps.pool && live !== null) {
    const { rows } = await deps.pool.query<{ community_id: string }>(
      `select community_id from ${COMMUNITY_MEMBERS} where user_id = $1::uuid
       union select community_id from ${COMMUNITY_COMMUNITIES} where created_by = $1::uuid`,
      [person],
    );
    for (const row of rows) communities.add(row.community_id);
    from = live;
  }
  for await (const event of membershipEvents(deps.store, from, [MEMBERSHIP_CATEGORY, COMMUNITY_CATEGORY])) {
    const ids = event.type === 'CommunityCreated' ? creationIds(event) : membershipIds(event);
    if (ids && ids.userId === person) communities.add(ids.communityId);
  }
  await destroyAll(
    deps.keys,
    [...communities].map((communityId) => communityMemberSubject(communityId, person)),
  );
  return communities.size;
}

/** Everyone with a row in the read model, and where its checkpoint says the history must go on from. */
async function membersInReadModel(
  pool: pg.Pool,
  communityId: string,
): Promise<{ people: Set<string>; from: Position | 'start' }> {
  // The checkpoint first: the rows read next hold at least every membership event up to it.
  const live = await liveCheckpoint(pool);
  if (live === null) return { people: new Set(), from: 'start' };
  const { rows } = await pool.query<{ user_id: string }>(
    `select user_id from ${COMMUNITY_MEMBERS} where community_id = $1::uuid`,
    [communityId],
  );
  return { people: new Set(rows.map((r) => r.user_id)), from: live };
}

/** The communities read model's checkpoint while it is live (a rebuild swaps its tables: read the history). */
async function liveCheckpoint(pool: pg.Pool): Promise<Position | null> {
  const state = await readState(pool, COMMUNITIES_PROJECTION);
  return state?.status === 'live' && state.checkpoint >= 0n ? state.checkpoint : null;
}

/** Everyone a membership event of the community names, from `from` (inclusive) to the head. */
async function membersInHistory(
  store: EventStore,
  communityId: string,
  from: Position | 'start',
): Promise<Set<string>> {
  const people = new Set<string>();
  for await (const event of membershipEvents(store, from)) {
    const ids = membershipIds(event);
    if (ids && ids.communityId === communityId) people.add(ids.userId);
  }
  return people;
}

async function* membershipEvents(
  store: EventStore,
  from: Position | 'start',
  categories: string[] = [MEMBERSHIP_CATEGORY],
): AsyncGenerator<RecordedEvent> {
  let cursor = from;
  for (;;) {
    const page = await store.readAll({
      fromPosition: cursor,
      direction: 'forwards',
      maxCount: PAGE_SIZE,
      filter: { streamNamePrefixes: categories },
    });
    const last = page.at(-1);
    if (!last) return;
    yield* page;
    cursor = last.position + 1n;
  }
}

/**
 * The community (metadata, written by the pipeline) and the person (data: ids are never
 * encrypted) of a membership event, lower-cased.
 */
function membershipIds(event: RecordedEvent): { communityId: string; userId: string } | null {
  const communityId = event.metadata.communityId;
  const userId =
    typeof event.data === 'object' && event.data !== null ? Reflect.get(event.data, 'userId') : null;
  if (typeof communityId !== 'string' || typeof userId !== 'string') return null;
  return { communityId: communityId.toLowerCase(), userId: userId.toLowerCase() };
}

/** The community and its creator of a `CommunityCreated` (ids are never encrypted), lower-cased. */
function creationIds(event: RecordedEvent): { communityId: string; userId: string } | null {
  const data = typeof event.data === 'object' && event.data !== null ? event.data : null;
  const communityId = data ? Reflect.get(data, 'communityId') : null;
  const createdBy = data ? Reflect.get(data, 'createdBy') : null;
  if (typeof communityId !== 'string' || typeof createdBy !== 'string') return null;
  return { communityId: communityId.toLowerCase(), userId: createdBy.toLowerCase() };
}

/** Destroys every key, a few at a time; answers how many this call destroyed (not found destroyed). */
async function destroyAll(keys: PersonalDataKeys, subjects: readonly string[]): Promise<number> {
  let destroyedNow = 0;
  for (let i = 0; i < subjects.length; i += PARALLEL_DESTROYS) {
    const done = await Promise.all(subjects.slice(i, i + PARALLEL_DESTROYS).map((s) => keys.destroy(s)));
    destroyedNow += done.filter((d) => !d.alreadyDestroyed && d.keyId !== null).length;
  }
  return destroyedNow;
}

function union(a: Set<string>, b: Set<string>): Set<string> {
  for (const item of b) a.add(item);
  return a;
}

async function erasedEvent(deps: LoadDeps, communityId: string) {
  const { events } = await loadAggregate(deps, communityAggregate, communityStream(communityId));
  const found = events.find(
    (e): e is typeof e & { event: Extract<CommunityEvent, { type: 'CommunityErased' }> } =>
      e.event.type === 'CommunityErased',
  );
  if (!found) throw new Error(`community-${communityId} has no CommunityErased event after erasing`);
  return {
    event: found.event,
    occurredAt: String(found.recorded.metadata.occurredAt ?? found.recorded.createdAt.toISOString()),
    position: found.recorded.position,
  };
}
