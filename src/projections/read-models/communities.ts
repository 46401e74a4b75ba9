import type { EventCodec } from '../../commands/event-codec.ts';
import { type CommunityEvent, communityEventCatalogue } from '../../domain/communities/community-events.ts';
import {
  type MembershipEvent,
  membershipEventCatalogue,
} from '../../domain/communities/membership-events.ts';
import type { RecordedEvent } from '../../eventstore/port.ts';
import type { Projection, ReadModelWriter, Row } from '../projection.ts';
import { COMMUNITY_COMMUNITIES, COMMUNITY_MEMBERS, MEMBER_KEYS } from './communities-rows.ts';
import { eraseListedRows, keyCountRow, keyListTables, listKey } from './community-key-lists.ts';
import { occurredAt } from './occurred-at.ts';

export const COMMUNITIES_PROJECTION = 'communities';
/** The tables others read (erasure enumerates everyone who ever belonged from the members). */
export { COMMUNITY_COMMUNITIES, COMMUNITY_MEMBERS } from './communities-rows.ts';

/**
 * Communities and everyone who ever stood in one (members, requesters, invitees, those who left
 * or were banned: rows are kept, so erasure finds everyone who ever belonged), keyed by community
 * first (data sovereignty: a community's rows are one range, shardable by it). An erased
 * community keeps a tombstone row (`erased`, texts null, no members) so its id is never shown
 * again; its member rows are deleted, found through the community's key lists (community-key-lists.ts).
 * Everything, times and counts included, comes from the events, so a rebuild ends the same.
 */
export function communitiesProjection(codec: Pick<EventCodec, 'decode'>): Projection {
  return {
    name: COMMUNITIES_PROJECTION,
    // 2: member rows listed per community (community_member_lists) and deleted on CommunityErased.
    // 3: the lists are the shared community key lists (community-key-lists.ts), with their count.
    version: 3,
    eventTypes: [...Object.keys(communityEventCatalogue), ...Object.keys(membershipEventCatalogue)],
    tables: {
      [COMMUNITY_COMMUNITIES]: {
        columns: `community_id uuid not null, name text not null, description text, language text not null,
          region text not null, visibility text not null, rules text,
          min_trust_to_start_threads int not null, min_trust_to_post_links int not null,
          created_by uuid not null, created_at timestamptz not null, updated_at timestamptz not null,
          member_count int not null, erased boolean not null,
          search tsvector generated always as
            (to_tsvector('simple', name || ' ' || coalesce(description, ''))) stored`,
        primaryKey: ['community_id'],
        indexes: ['(erased, visibility, created_at desc, community_id desc)', 'using gin (search)'],
      },
      [COMMUNITY_MEMBERS]: {
        // `role` is held while a member; `via`/`joined_at` describe the last joining.
        columns: `community_id uuid not null, user_id uuid not null, role text, status text not null,
          via text, approved_by uuid, invited_by uuid, joined_at timestamptz, requested_at timestamptz,
          invited_at timestamptz, banned_by uuid, banned_at timestamptz, updated_at timestamptz not null`,
        primaryKey: ['community_id', 'user_id'],
        indexes: [
          '(community_id, status, joined_at, user_id)',
          '(community_id, status, requested_at, user_id)',
          '(user_id, status)',
        ],
      },
      ...keyListTables(MEMBER_KEYS),
    },
    async apply(recorded, writer) {
      const at = occurredAt(recorded);
      const community = await codec.decode(communityEventCatalogue, recorded);
      if (community) return applyCommunityEvent(community.event, writer, at);
      const membership = await codec.decode(membershipEventCatalogue, recorded);
      if (membership) return applyMembershipEvent(membership.event, writer, at);
    },
    prefetch: (events) => events.flatMap(prefetchOf),
  };
}

async function applyCommunityEvent(event: CommunityEvent, writer: ReadModelWriter, at: string) {
  const key = { community_id: event.data.communityId };
  switch (event.type) {
    case 'CommunityCreated': {
      const { createdBy, ...settings } = event.data;
      writer.upsert(COMMUNITY_COMMUNITIES, {
        ...key,
        ...settingsRow(settings),
        created_by: createdBy,
        created_at: at,
        updated_at: at,
        member_count: 0,
        erased: false,
      });
      return;
    }
    case 'CommunitySettingsChanged':
      return writer.update(COMMUNITY_COMMUNITIES, key, { ...settingsRow(event.data), updated_at: at });
    case 'CommunityErased': {
      const community = await writer.get(COMMUNITY_COMMUNITIES, key);
      if (!community) return;
      await eraseListedRows(writer, MEMBER_KEYS, event.data.communityId);
      return writer.update(COMMUNITY_COMMUNITIES, key, {
        erased: true,
        description: null,
        rules: null,
        member_count: 0,
        updated_at: at,
      });
    }
  }
}

function settingsRow(
  settings: Omit<Extract<CommunityEvent, { type: 'CommunityCreated' }>['data'], 'createdBy'>,
) {
  return {
    name: settings.name,
    description: settings.description,
    language: settings.language,
    region: settings.region,
    visibility: settings.visibility,
    rules: settings.rules,
    min_trust_to_start_threads: settings.minTrustToStartThreads,
    min_trust_to_post_links: settings.minTrustToPostLinks,
  };
}

async function applyMembershipEvent(event: MembershipEvent, writer: ReadModelWriter, at: string) {
  const key = { community_id: event.data.communityId, user_id: event.data.userId };
  const community = await writer.get(COMMUNITY_COMMUNITIES, { community_id: event.data.communityId });
  // Nothing of an erased community is kept (nor of one never created: it cannot be erased).
  if (!community || community.erased === true) return;
  const before = await writer.get(COMMUNITY_MEMBERS, key);
  const row: Row = { ...emptyMember(), ...before, ...key, updated_at: at };
  const wasMember = before?.status === 'member';
  switch (event.type) {
    case 'CommunityMemberJoined':
      Object.assign(row, {
        status: 'member',
        role: event.data.role,
        via: event.data.via,
        approved_by: event.data.approvedBy,
        joined_at: at,
      });
      break;
    case 'CommunityJoinRequested':
      Object.assign(row, { status: 'requested', requested_at: at });
      break;
    case 'CommunityMemberInvited':
      Object.assign(row, { status: 'invited', invited_by: event.data.invitedBy, invited_at: at });
      break;
    case 'CommunityJoinRequestDeclined':
    case 'CommunityInvitationDeclined':
    case 'CommunityMemberUnbanned':
      Object.assign(row, { status: 'none', role: null });
      break;
    case 'CommunityMemberLeft':
      Object.assign(row, { status: 'left', role: null });
      break;
    case 'CommunityMemberBanned':
      Object.assign(row, { status: 'banned', role: null, banned_by: event.data.bannedBy, banned_at: at });
      break;
    case 'CommunityMemberRoleChanged':
      if (!wasMember) return;
      row.role = event.data.role;
      break;
  }
  writer.upsert(COMMUNITY_MEMBERS, row);
  if (!before) await listKey(writer, MEMBER_KEYS, event.data.communityId, COMMUNITY_MEMBERS, key);
  const isMember = row.status === 'member';
  const members = Number(community.member_count) + (isMember === wasMember ? 0 : isMember ? 1 : -1);
  await writer.update(
    COMMUNITY_COMMUNITIES,
    { community_id: event.data.communityId },
    { member_count: members },
  );
}

function emptyMember(): Row {
  return {
    role: null,
    status: 'none',
    via: null,
    approved_by: null,
    invited_by: null,
    joined_at: null,
    requested_at: null,
    invited_at: null,
    banned_by: null,
    banned_at: null,
  };
}

/** The rows an event reads, from its raw data (ids are never encrypted): one query per table per batch. */
function prefetchOf(recorded: RecordedEvent): { table: string; key: Row }[] {
  const data = recorded.data;
  if (typeof data !== 'object' || data === null) return [];
  const communityId = Reflect.get(data, 'communityId');
  if (typeof communityId !== 'string') return [];
  const community = { table: COMMUNITY_COMMUNITIES, key: { community_id: communityId } };
  const userId = Reflect.get(data, 'userId');
  if (!(recorded.type in membershipEventCatalogue) || typeof userId !== 'string') {
    return recorded.type === 'CommunityErased'
      ? [community, keyCountRow(MEMBER_KEYS, communityId)]
      : [community];
  }
  return [
    community,
    { table: COMMUNITY_MEMBERS, key: { community_id: communityId, user_id: userId } },
    keyCountRow(MEMBER_KEYS, communityId),
  ];
}
