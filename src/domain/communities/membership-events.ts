import { z } from 'zod';
import type { EventCatalogue } from '../shared/event-catalogue.ts';
import { banReason, JOIN_ROUTES } from './community-values.ts';
import { COMMUNITY_ROLES } from './policy.ts';
import { communityMemberSubject } from './streams.ts';

const subject = { communityId: z.uuid(), userId: z.uuid() };
const role = z.enum(COMMUNITY_ROLES);

/** One person's membership of one community (`communitymember-…`). */
export const membershipEventSchemas = {
  /** `approvedBy`: who approved the request or sent the invitation; null on creation and open joins. */
  CommunityMemberJoined: z.object({
    ...subject,
    role,
    via: z.enum(JOIN_ROUTES),
    approvedBy: z.uuid().nullable(),
  }),
  CommunityJoinRequested: z.object(subject),
  CommunityJoinRequestDeclined: z.object({ ...subject, declinedBy: z.uuid() }),
  CommunityMemberInvited: z.object({ ...subject, invitedBy: z.uuid() }),
  CommunityInvitationDeclined: z.object(subject),
  /** Left, or withdrew a request to join. */
  CommunityMemberLeft: z.object(subject),
  /** `reason` is the banning moderator's words, encrypted with their key for this community. */
  CommunityMemberBanned: z.object({ ...subject, bannedBy: z.uuid(), reason: banReason }),
  CommunityMemberUnbanned: z.object({ ...subject, unbannedBy: z.uuid() }),
  CommunityMemberRoleChanged: z.object({ ...subject, role, changedBy: z.uuid() }),
};

type Schemas = typeof membershipEventSchemas;
export type MembershipEvent = {
  [Type in keyof Schemas]: { type: Type; data: z.infer<Schemas[Type]> };
}[keyof Schemas];
export type MembershipEventOf<Type extends MembershipEvent['type']> = Extract<
  MembershipEvent,
  { type: Type }
>;

const definition = <Type extends keyof Schemas>(type: Type) => ({
  type,
  schemaVersion: 1,
  schema: membershipEventSchemas[type],
  // Integrators may count members of a community; who is in it, asked or was banned is private.
  publicFields: ['communityId'],
});

export const membershipEventCatalogue: EventCatalogue<MembershipEvent> = {
  CommunityMemberJoined: definition('CommunityMemberJoined'),
  CommunityJoinRequested: definition('CommunityJoinRequested'),
  CommunityJoinRequestDeclined: definition('CommunityJoinRequestDeclined'),
  CommunityMemberInvited: definition('CommunityMemberInvited'),
  CommunityInvitationDeclined: definition('CommunityInvitationDeclined'),
  CommunityMemberLeft: definition('CommunityMemberLeft'),
  CommunityMemberBanned: {
    ...definition('CommunityMemberBanned'),
    personalFields: ['reason'],
    subject: (data) => communityMemberSubject(data.communityId, data.bannedBy),
  },
  CommunityMemberUnbanned: definition('CommunityMemberUnbanned'),
  CommunityMemberRoleChanged: definition('CommunityMemberRoleChanged'),
};
