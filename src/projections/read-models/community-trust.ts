import { z } from 'zod';
import type { EventCodec } from '../../commands/event-codec.ts';
import { attemptEventCatalogue } from '../../domain/communities/attempt-events.ts';
import { communityPostEventCatalogue } from '../../domain/communities/post-events.ts';
import {
  COMMUNITY_TRUST_WEIGHTS,
  daysBetween,
  NO_TRUST_FACTS,
  OVERALL_TRUST_WEIGHTS,
  type TrustComponentName,
  type TrustFacts,
  trustBase,
  trustScore,
} from '../../domain/communities/trust.ts';
import { sessionEventCatalogue } from '../../domain/mentorship/session-events.ts';
import type { RecordedEvent } from '../../eventstore/port.ts';
import type { Projection, ReadModelWriter, Row } from '../projection.ts';
import {
  eraseListedRows,
  type KeyLists,
  keyCountRow,
  keyListTables,
  listKey,
} from './community-key-lists.ts';
import { occurredAt } from './occurred-at.ts';

export const COMMUNITY_TRUST_PROJECTION = 'community_trust';
export const TRUST_SCORES = 'community_trust_scores';
export const TRUST_OVERALL = 'community_trust_overall';
export const TRUST_EVENTS = 'community_trust_events';
const TRUST_CHECKPOINTS = 'community_trust_checkpoints';
const TRUST_SESSIONS = 'community_trust_sessions';
const KEYS: KeyLists = { lists: 'community_trust_key_lists', counts: 'community_trust_key_counts' };

/**
 * H1's membership and community events: only their ids are read, and ids are never encrypted, so
 * they are parsed from the raw data here (the membership catalogue's upcasters would matter only
 * for a field this projection does not read).
 */
const MEMBERSHIP_TYPES = ['CommunityMemberJoined', 'CommunityMemberLeft', 'CommunityMemberBanned'] as const;
const COMMUNITY_ERASED = 'CommunityErased';
const membershipIds = z.object({ communityId: z.uuid(), userId: z.uuid() });
const SESSION_TYPES = ['MentorshipSessionScheduled', 'MentorshipSessionEnded', 'MentorshipSessionRated'];

/**
 * Trust, from events only (the formula is src/domain/communities/trust.ts). Per community and
 * member: the facts (counts and tenure), the score as of the last event that moved them, and the
 * parts a reader needs to compute it at the time of reading (`base`, `tenure_days`,
 * `member_since`: see `trustScoreSql`); `base`, the time-independent part, is what the
 * leaderboard ranks by, through an index (docs/learning-progress-and-trust.md); the same overall
 * (every community, and mentorship sessions, which belong to no community, with each community's
 * first joining so that an erased one's time leaves overall tenure); and `community_trust_events`, the event behind each
 * change of a member's facts (stream, revision, position, id), which moderators open with the
 * audit queries. Sessions' participants are kept by session (mentorship is not community-owned,
 * so that table alone is not keyed by community).
 */
export function communityTrustProjection(codec: Pick<EventCodec, 'decode'>): Projection {
  return {
    name: COMMUNITY_TRUST_PROJECTION,
    // 2: the leaderboard index on `base` (current members), overall first joinings per community,
    // no row or event for someone who leaves without ever having joined, bulk erasure.
    // 3: that index on `(-base)`, both columns ascending, so a cursor seeks by row comparison.
    version: 3,
    eventTypes: [
      'CheckpointAttemptSubmitted',
      'CheckpointAttemptGraded',
      'CommunityPostMarkedHelpful',
      'CommunityPostRemoved',
      ...MEMBERSHIP_TYPES,
      COMMUNITY_ERASED,
      ...SESSION_TYPES,
    ],
    tables: {
      [TRUST_SCORES]: {
        columns: `community_id uuid not null, user_id uuid not null, score real not null,
          base real not null, tenure_days real not null, member_since timestamptz,
          components jsonb not null, updated_at timestamptz not null`,
        primaryKey: ['community_id', 'user_id'],
        // The leaderboard: one community's current members by their time-independent trust,
        // highest first as `-base` ascending, so that (`-base`, user id) is one row comparison.
        indexes: ['(community_id, (-base), user_id) where member_since is not null'],
      },
      [TRUST_OVERALL]: {
        columns: `user_id uuid not null, score real not null, base real not null,
          first_joined_at timestamptz, first_joins jsonb not null, components jsonb not null,
          updated_at timestamptz not null`,
        primaryKey: ['user_id'],
      },
      [TRUST_EVENTS]: {
        columns: `community_id uuid not null, user_id uuid not null, position bigint not null,
          event_id uuid not null, event_type text not null, stream_name text not null,
          stream_revision bigint not null, component text not null, change real not null,
          occurred_at timestamptz not null`,
        primaryKey: ['community_id', 'user_id', 'position'],
      },
      [TRUST_CHECKPOINTS]: {
        columns: 'community_id uuid not null, user_id uuid not null, checkpoint_id uuid not null',
        primaryKey: ['community_id', 'user_id', 'checkpoint_id'],
      },
      [TRUST_SESSIONS]: {
        columns: 'session_id uuid not null, mentor_id uuid not null, learner_id uuid not null',
        primaryKey: ['session_id'],
      },
      ...keyListTables(KEYS),
    },
    prefetch: (events) => events.flatMap(prefetchOf),
    async apply(recorded, writer) {
      const at = occurredAt(recorded);
      if (recorded.type === COMMUNITY_ERASED) {
        const communityId = z.object({ communityId: z.uuid() }).safeParse(recorded.data);
        if (communityId.success)
          await eraseCommunityTrust(writer, communityId.data.communityId.toLowerCase());
        return;
      }
      if ((MEMBERSHIP_TYPES as readonly string[]).includes(recorded.type)) {
        const ids = membershipIds.safeParse(recorded.data);
        if (ids.success) await applyMembership(writer, recorded, ids.data, at);
        return;
      }
      if (SESSION_TYPES.includes(recorded.type)) return applySession(codec, writer, recorded, at);
      if (recorded.type === 'CommunityPostMarkedHelpful' || recorded.type === 'CommunityPostRemoved') {
        const decoded = await codec.decode(communityPostEventCatalogue, recorded);
        const event = decoded?.event;
        if (event?.type === 'CommunityPostMarkedHelpful' && event.data.markedBy !== event.data.authorId) {
          await count(writer, recorded, event.data.communityId, event.data.authorId, 'helpful', at);
        }
        if (event?.type === 'CommunityPostRemoved' && event.data.removedBy !== event.data.authorId) {
          await count(writer, recorded, event.data.communityId, event.data.authorId, 'reports', at);
        }
        return;
      }
      const decoded = await codec.decode(attemptEventCatalogue, recorded);
      const event = decoded?.event;
      if (event?.data.passed !== true) return;
      const { communityId, userId, checkpointId } = lowerIds(event.data);
      const key = { community_id: communityId, user_id: userId, checkpoint_id: checkpointId };
      // A checkpoint counts once however it was passed (on submission, or when a mentor graded it).
      const known = await writer.get(TRUST_CHECKPOINTS, key);
      if (known) return;
      await listKey(writer, KEYS, communityId, TRUST_CHECKPOINTS, key);
      writer.upsert(TRUST_CHECKPOINTS, key);
      await count(writer, recorded, communityId, userId, 'checkpoints', at);
    },
  };
}

const rawId = (recorded: RecordedEvent, name: string): string | null => {
  const data = recorded.data;
  const value = typeof data === 'object' && data !== null ? Reflect.get(data, name) : undefined;
  return typeof value === 'string' ? value.toLowerCase() : null;
};

/**
 * The rows an event will read, from its raw data (ids are never encrypted): without them every
 * event cost a round trip per row it reads, the event row it notes included (new by position, so
 * read only to learn it is absent). A session's participants are known only once its row is read,
 * so their overall rows are still read one by one.
 */
function prefetchOf(recorded: RecordedEvent): { table: string; key: Row }[] {
  if (SESSION_TYPES.includes(recorded.type)) {
    const sessionId = Reflect.get(Object(recorded.data), 'sessionId');
    return typeof sessionId === 'string' ? [{ table: TRUST_SESSIONS, key: { session_id: sessionId } }] : [];
  }
  const communityId = rawId(recorded, 'communityId');
  if (communityId === null) return [];
  if (recorded.type === COMMUNITY_ERASED) return [keyCountRow(KEYS, communityId)];
  const userId = rawId(recorded, recorded.type.startsWith('CommunityPost') ? 'authorId' : 'userId');
  if (userId === null) return [];
  const member = { community_id: communityId, user_id: userId };
  const rows = [
    keyCountRow(KEYS, communityId),
    { table: TRUST_SCORES, key: member },
    { table: TRUST_OVERALL, key: { user_id: userId } },
    { table: TRUST_EVENTS, key: { ...member, position: recorded.position.toString() } },
  ];
  const checkpointId = rawId(recorded, 'checkpointId');
  return checkpointId === null
    ? rows
    : [...rows, { table: TRUST_CHECKPOINTS, key: { ...member, checkpoint_id: checkpointId } }];
}

const lowerIds = <Data extends { communityId: string; userId: string; checkpointId: string }>(
  data: Data,
) => ({
  communityId: data.communityId.toLowerCase(),
  userId: data.userId.toLowerCase(),
  checkpointId: data.checkpointId.toLowerCase(),
});

const FACT_OF: Record<'checkpoints' | 'helpful' | 'reports', keyof TrustFacts> = {
  checkpoints: 'checkpointsPassed',
  helpful: 'helpfulMarks',
  reports: 'reportsUpheld',
};

function factsOf(row: Row | undefined): TrustFacts {
  const stored = (row?.components as { facts?: Partial<TrustFacts> } | undefined)?.facts;
  return { ...NO_TRUST_FACTS, ...stored };
}

/** One more of a counted fact for a member, in their community and overall, with its event noted. */
async function count(
  writer: ReadModelWriter,
  recorded: RecordedEvent,
  rawCommunityId: string,
  rawUserId: string,
  component: 'checkpoints' | 'helpful' | 'reports',
  at: string,
): Promise<void> {
  const communityId = rawCommunityId.toLowerCase();
  const userId = rawUserId.toLowerCase();
  const fact = FACT_OF[component];
  await changeMember(writer, communityId, userId, at, (facts) => ({
    ...facts,
    [fact]: Number(facts[fact]) + 1,
  }));
  await changeOverall(writer, userId, at, (facts) => ({ ...facts, [fact]: Number(facts[fact]) + 1 }));
  await noteEvent(writer, recorded, communityId, userId, component, component === 'reports' ? -1 : 1, at);
}

async function applyMembership(
  writer: ReadModelWriter,
  recorded: RecordedEvent,
  ids: { communityId: string; userId: string },
  at: string,
): Promise<void> {
  const communityId = ids.communityId.toLowerCase();
  const userId = ids.userId.toLowerCase();
  if (recorded.type === 'CommunityMemberJoined') {
    await changeMember(writer, communityId, userId, at, (facts) =>
      facts.memberSince === null ? { ...facts, memberSince: at } : facts,
    );
    await changeOverall(
      writer,
      userId,
      at,
      (facts) => facts,
      (joins) => (communityId in joins ? joins : { ...joins, [communityId]: new Date(at).toISOString() }),
    );
    await noteEvent(writer, recorded, communityId, userId, 'tenure', 1, at);
    return;
  }
  // Left or banned: the current stretch closes and counts from now on as closed days. Someone not
  // a member now has no stretch to close: withdrawing a join request is a `CommunityMemberLeft`
  // too, and must not give a person who never joined a trust row or a tenure event.
  const known = await writer.get(TRUST_SCORES, { community_id: communityId, user_id: userId });
  if (factsOf(known).memberSince === null) return;
  await changeMember(writer, communityId, userId, at, (facts) =>
    facts.memberSince === null
      ? facts
      : { ...facts, tenureDays: facts.tenureDays + daysBetween(facts.memberSince, at), memberSince: null },
  );
  await noteEvent(writer, recorded, communityId, userId, 'tenure', -1, at);
}

async function changeMember(
  writer: ReadModelWriter,
  communityId: string,
  userId: string,
  at: string,
  change: (facts: TrustFacts) => TrustFacts,
): Promise<void> {
  const key = { community_id: communityId, user_id: userId };
  const known = await writer.get(TRUST_SCORES, key);
  if (!known) await listKey(writer, KEYS, communityId, TRUST_SCORES, key);
  const facts = change(factsOf(known));
  const scored = trustScore(facts, new Date(at), COMMUNITY_TRUST_WEIGHTS);
  writer.upsert(TRUST_SCORES, {
    ...key,
    score: scored.score,
    base: trustBase(facts, COMMUNITY_TRUST_WEIGHTS),
    tenure_days: facts.tenureDays,
    member_since: facts.memberSince,
    components: { facts, components: scored.components },
    updated_at: at,
  });
}

/** Per community, when the person first joined it (ISO instants). */
type FirstJoins = Record<string, string>;

const firstJoinsOf = (row: Row | undefined): FirstJoins =>
  typeof row?.first_joins === 'object' && row.first_joins !== null ? (row.first_joins as FirstJoins) : {};

const earliest = (joins: FirstJoins): string | null =>
  Object.values(joins).reduce<string | null>(
    (first, at) => (first === null || Date.parse(at) < Date.parse(first) ? at : first),
    null,
  );

/**
 * Overall tenure is the time since first joining any community (never reduced by leaving one), so
 * the overall facts keep `memberSince` as that first instant: the earliest of the first joinings
 * kept per community, so that erasing a community (`joins` drops it) takes its time out too.
 */
async function changeOverall(
  writer: ReadModelWriter,
  userId: string,
  at: string,
  change: (facts: TrustFacts) => TrustFacts,
  joins: (joins: FirstJoins) => FirstJoins = (same) => same,
): Promise<void> {
  const key = { user_id: userId };
  const known = await writer.get(TRUST_OVERALL, key);
  const firstJoins = joins(firstJoinsOf(known));
  const first = earliest(firstJoins);
  const facts = { ...change(factsOf(known)), tenureDays: 0, memberSince: first };
  const scored = trustScore(facts, new Date(at), OVERALL_TRUST_WEIGHTS);
  writer.upsert(TRUST_OVERALL, {
    ...key,
    score: scored.score,
    base: trustBase(facts, OVERALL_TRUST_WEIGHTS),
    first_joined_at: first,
    first_joins: firstJoins,
    components: { facts, components: scored.components },
    updated_at: at,
  });
}

async function noteEvent(
  writer: ReadModelWriter,
  recorded: RecordedEvent,
  communityId: string,
  userId: string,
  component: TrustComponentName,
  change: number,
  at: string,
): Promise<void> {
  const key = { community_id: communityId, user_id: userId, position: recorded.position.toString() };
  if (!(await writer.get(TRUST_EVENTS, key))) await listKey(writer, KEYS, communityId, TRUST_EVENTS, key);
  writer.upsert(TRUST_EVENTS, {
    ...key,
    event_id: recorded.id,
    event_type: recorded.type,
    stream_name: recorded.streamName,
    stream_revision: recorded.revision.toString(),
    component,
    change,
    occurred_at: at,
  });
}

/** Sessions count overall: an ended session for both sides, a rating for the side rated. */
async function applySession(
  codec: Pick<EventCodec, 'decode'>,
  writer: ReadModelWriter,
  recorded: RecordedEvent,
  at: string,
): Promise<void> {
  const decoded = await codec.decode(sessionEventCatalogue, recorded);
  const event = decoded?.event;
  if (!event) return;
  if (event.type === 'MentorshipSessionScheduled') {
    writer.upsert(TRUST_SESSIONS, {
      session_id: event.data.sessionId,
      mentor_id: event.data.mentorId.toLowerCase(),
      learner_id: event.data.learnerId.toLowerCase(),
    });
    return;
  }
  const session = await writer.get(TRUST_SESSIONS, { session_id: event.data.sessionId });
  if (!session) return;
  const mentorId = String(session.mentor_id);
  const learnerId = String(session.learner_id);
  if (event.type === 'MentorshipSessionEnded') {
    for (const userId of [mentorId, learnerId]) {
      await changeOverall(writer, userId, at, (facts) => ({
        ...facts,
        sessionsCompleted: facts.sessionsCompleted + 1,
      }));
    }
    return;
  }
  if (event.type === 'MentorshipSessionRated') {
    // The learner rates the mentor, the mentor the learner: the rating is the other side's.
    const rated = event.data.by === 'learner' ? mentorId : learnerId;
    await changeOverall(writer, rated, at, (facts) => ({
      ...facts,
      ratingCount: facts.ratingCount + 1,
      ratingSum: facts.ratingSum + event.data.rating,
    }));
  }
}

/**
 * The community's rows go; what it added to its members' overall facts (checkpoints, helpful
 * marks, reports, and its first joining, from which overall tenure counts when it was the
 * earliest) is taken out of them, so an erased community leaves no trace in anyone's score. Each
 * bucket's members are read in bulk: their community rows, then their overall rows.
 */
async function eraseCommunityTrust(writer: ReadModelWriter, communityId: string): Promise<void> {
  await eraseListedRows(writer, KEYS, communityId, {
    tables: [TRUST_SCORES],
    async rows(_table, rows) {
      await writer.load(rows.map((row) => ({ table: TRUST_OVERALL, key: { user_id: String(row.user_id) } })));
      for (const row of rows) {
        const facts = factsOf(row);
        const userId = String(row.user_id);
        const known = await writer.get(TRUST_OVERALL, { user_id: userId });
        if (!known) continue;
        const at = new Date(String(known.updated_at)).toISOString();
        await changeOverall(
          writer,
          userId,
          at,
          (overall) => ({
            ...overall,
            checkpointsPassed: Math.max(0, overall.checkpointsPassed - facts.checkpointsPassed),
            helpfulMarks: Math.max(0, overall.helpfulMarks - facts.helpfulMarks),
            reportsUpheld: Math.max(0, overall.reportsUpheld - facts.reportsUpheld),
          }),
          ({ [communityId]: _erased, ...others }) => others,
        );
      }
    },
  });
}
