import { randomUUID } from 'node:crypto';
import type { GraphQLResponse } from '../api/support/identity-app.ts';
import { freshEmail, PASSWORD } from '../api/support/identity-operations.ts';
import { COMMUNITY_ROWS } from './authz-communities.ts';
import {
  type AuthzFixture,
  BRAND_INPUT,
  LEARNER_PROFILE,
  type MatrixActor,
  MENTOR_PROFILE,
  ROLES,
  type RoleName,
} from './authz-fixture.ts';
import { NOTIFICATION_ROWS } from './authz-notifications.ts';
import { SYNC_ROWS } from './authz-sync.ts';

/**
 * The expected authorisation matrix: for every GraphQL mutation, the roles the README ("Identity
 * and access", "Brands", "Media and video posts", "Mentorship") and the seeds allow; every other
 * role is refused. Who owns what in the fixture:
 * - brand: created by the admin (its brand admin); `brandEditor` is its editor, `approver` its
 *   approver (workflow: one approver step); content is written by the editor;
 * - video asset and posts: the `creator`'s;
 * - mentorship: the `user` is the learner, the `creator` the mentor;
 * - API keys: `events:read`, `graphql:read`, `graphql:write` belong to the `creator`, `audit:read`
 *   to the `auditor` (only auditors and admins can mint one). A key acts for its owner.
 * Targets that are "someone else" (setRole, deactivateUser, forgetUser, revokeAllSessions) are
 * throwaway users none of the actors is.
 */

export interface Cell {
  role: RoleName;
  actor: MatrixActor;
  expected: 'allow' | 'deny';
}

export interface Call {
  variables: Record<string, unknown>;
  /** Send with this token instead of the actor's (another session of the same person). */
  token?: string;
}

export type Outcome = 'allowed' | 'denied';

export interface MatrixRow {
  mutation: string;
  /** A second row for one mutation, where its arguments change who may call it. */
  variant?: string;
  /** The rule, as the README or the seeds state it. */
  rule: string;
  allowed: readonly RoleName[];
  document: string;
  /**
   * The variables of one cell. Deny cells share their props (a refusal must change nothing, so
   * they stay valid); an allowed call changes things, so rows whose change would spoil the next
   * cell give each allowed cell its own prop.
   */
  call(fx: AuthzFixture, cell: Cell): Promise<Call>;
  /**
   * `CODE/REASON`s an allowed cell may answer instead of succeeding: refusals the code raises only
   * after its "who" check (a wrong TOTP code, nothing to retry). Any other domain error in an
   * allowed cell is broken: it may have been raised before authorisation was reached.
   */
  reachedWith?: readonly string[];
  /** `CODE/REASON`s that also mean "refused": the code hides that the thing exists from strangers. */
  concealedAs?: readonly string[];
  /** Mutations that answer per item decide the outcome from the data. */
  outcome?(response: GraphQLResponse): Outcome | undefined;
}

const HUMANS: readonly RoleName[] = [
  'user',
  'creator',
  'brandEditor',
  'approver',
  'moderator',
  'admin',
  'auditor',
];
/** Any person: signed in, or through their API key with `graphql:write`. */
const PEOPLE: readonly RoleName[] = [...HUMANS, 'key:graphql:write'];
const EVERYONE: readonly RoleName[] = ROLES;
const BRAND_WRITERS: readonly RoleName[] = ['brandEditor', 'approver', 'admin'];
const BRAND_REVIEWERS: readonly RoleName[] = ['approver', 'admin'];
const BRAND_ADMINS: readonly RoleName[] = ['admin'];
const VIDEO_OWNER: readonly RoleName[] = ['creator', 'key:graphql:write'];
const MENTOR: readonly RoleName[] = ['creator', 'key:graphql:write'];
const PARTICIPANTS: readonly RoleName[] = ['user', 'creator', 'key:graphql:write'];
/** The fixture's chat group: the `user` actor owns it, the creator (and so their key) is a member. */
const CHAT_MEMBERS: readonly RoleName[] = ['user', 'creator', 'key:graphql:write'];
const CHAT_OWNER: readonly RoleName[] = ['user'];
/** Strangers to a conversation are told it is not there (nothing about who is in it leaks). */
const CHAT_CONCEALED = ['NOT_FOUND/CONVERSATION_NOT_FOUND'] as const;

export const labelOf = (row: MatrixRow) => (row.variant ? `${row.mutation} [${row.variant}]` : row.mutation);

/** A prop of its own for an allowed cell; the shared one (made before any deny cell runs) otherwise. */
function propFor<T>(fx: AuthzFixture, cell: Cell, name: string, make: () => Promise<T>): Promise<T> {
  return cell.expected === 'allow' ? make() : fx.shared(name, make);
}

const vars = (variables: Record<string, unknown>): Call => ({ variables });

/**
 * A comment by the `user` actor (or the `creator`) on the creator's public video. Spread over two
 * authors so that neither reaches the flood limit (10 a minute) within one matrix run.
 */
async function userComment(fx: AuthzFixture, author: 'user' | 'creator' = 'user'): Promise<string> {
  const videoId = await fx.shared('engaged-video', () => fx.videoPost());
  const posted = await fx.gqlOk<{ id: string }>(
    `mutation ($v: ID!) { postComment(videoId: $v, body: "Nice") { id } }`,
    { v: videoId },
    fx.people[author].token,
    'postComment',
  );
  return posted.id;
}

let sessionDay = 0;

export const MATRIX: readonly MatrixRow[] = [
  // ---- identity ----
  {
    mutation: 'register',
    rule: 'public',
    allowed: EVERYONE,
    document: `mutation ($input: RegisterInput!) { register(input: $input) { id } }`,
    call: async () => vars({ input: { email: freshEmail(), password: PASSWORD, displayName: 'Matrix' } }),
  },
  {
    // Allowed cells start a set-up of their own and send a code that is certainly wrong for it, so
    // they reach the code check (VALIDATION/INVALID_TOTP_CODE) without turning two-factor on for an
    // actor other cells sign in as. The write key's owner has nothing pending: a key is refused for
    // who it is, before anything about its owner's set-up is looked at (it used to get CONFLICT).
    // This row stays away from enableTotp's, so no batch runs both for one actor.
    mutation: 'verifyTotp',
    rule: 'yourself, signed in (a key cannot change how its owner signs in)',
    allowed: HUMANS,
    reachedWith: ['VALIDATION/INVALID_TOTP_CODE'],
    document: `mutation ($c: String!) { verifyTotp(code: $c) { backupCodes } }`,
    call: async (fx, cell) =>
      vars({ c: cell.expected === 'allow' ? await fx.wrongTotpCode(cell.actor) : '000000' }),
  },
  {
    mutation: 'login',
    rule: 'public',
    allowed: EVERYONE,
    document: `mutation ($input: LoginInput!) { login(input: $input) { accessToken } }`,
    // One account per role: a batch of sign-ins to one account would race on its stream.
    call: async (fx, cell) => {
      const target = await fx.shared(`login-target:${cell.role}`, () => fx.stranger());
      return vars({ input: { email: target.email, password: PASSWORD } });
    },
  },
  {
    mutation: 'refreshSession',
    rule: 'public (the refresh token is the credential)',
    allowed: EVERYONE,
    document: `mutation ($t: String!) { refreshSession(refreshToken: $t) { accessToken } }`,
    call: async (fx, cell) => {
      const target = await fx.shared(`login-target:${cell.role}`, () => fx.stranger());
      return vars({ t: (await fx.newSession(target.email)).refreshToken });
    },
  },
  {
    mutation: 'logout',
    rule: 'a signed-in session ends itself; an API key has no session',
    allowed: HUMANS,
    document: `mutation { logout }`,
    // Each allowed cell ends a new session of its actor, not the one the other cells use.
    call: async (fx, cell) =>
      cell.expected === 'allow'
        ? { variables: {}, token: (await fx.newSession(cell.actor.email)).accessToken }
        : vars({}),
  },
  {
    mutation: 'revokeAllSessions',
    rule: "the user or an admin; here someone else's sessions",
    allowed: ['admin'],
    document: `mutation ($u: ID) { revokeAllSessions(userId: $u) }`,
    call: async (fx) => vars({ u: (await fx.shared('victim', () => fx.stranger())).id }),
  },
  {
    mutation: 'updateProfile',
    rule: 'yourself, or your API key with graphql:write',
    allowed: PEOPLE,
    document: `mutation ($input: UpdateProfileInput!) { updateProfile(input: $input) { id } }`,
    call: async () => vars({ input: { bio: 'Checked by the authorisation matrix' } }),
  },
  {
    mutation: 'changePassword',
    rule: 'yourself, signed in (a key cannot change how its owner signs in)',
    allowed: HUMANS,
    document: `mutation ($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) }`,
    call: async () => vars({ c: PASSWORD, n: PASSWORD }),
  },
  {
    mutation: 'setRole',
    rule: 'admins',
    allowed: ['admin'],
    document: `mutation ($u: ID!) { setRole(userId: $u, role: creator) { id } }`,
    call: async (fx) => vars({ u: (await fx.shared('victim', () => fx.stranger())).id }),
  },
  {
    mutation: 'deactivateUser',
    rule: "the user or an admin; here someone else's account",
    allowed: ['admin'],
    document: `mutation ($u: ID!) { deactivateUser(userId: $u) { id } }`,
    call: async (fx, cell) => vars({ u: (await propFor(fx, cell, 'to-deactivate', () => fx.stranger())).id }),
  },
  {
    mutation: 'enableTotp',
    rule: 'yourself, signed in',
    allowed: HUMANS,
    document: `mutation { enableTotp { secret } }`,
    call: async () => vars({}),
  },
  {
    mutation: 'createApiKey',
    rule: 'a signed-in person (a key cannot mint keys)',
    allowed: HUMANS,
    document: `mutation { createApiKey(name: "matrix", scopes: [GRAPHQL_READ]) { key } }`,
    call: async () => vars({}),
  },
  {
    mutation: 'createApiKey',
    variant: 'AUDIT_READ',
    rule: 'auditors and admins (a key never holds more than its owner)',
    allowed: ['auditor', 'admin'],
    document: `mutation { createApiKey(name: "matrix audit", scopes: [AUDIT_READ]) { key } }`,
    call: async () => vars({}),
  },
  {
    mutation: 'revokeApiKey',
    rule: "the key's owner (the user) or an admin",
    allowed: ['user', 'admin'],
    document: `mutation ($id: ID!) { revokeApiKey(id: $id) { id } }`,
    call: async (fx, cell) => vars({ id: await propFor(fx, cell, 'user-key', () => fx.userApiKey()) }),
  },
  {
    mutation: 'forgetUser',
    rule: "the user or an admin; here someone else's data",
    allowed: ['admin'],
    document: `mutation ($u: ID) { forgetUser(userId: $u) { userId } }`,
    call: async (fx, cell) => vars({ u: (await propFor(fx, cell, 'to-forget', () => fx.stranger())).id }),
  },

  // ---- brands (only platform admins create; brand admins change) ----
  {
    mutation: 'createBrand',
    rule: 'platform admins',
    allowed: ['admin'],
    document: `mutation ($input: CreateBrandInput!) { createBrand(input: $input) { id } }`,
    call: async () => vars({ input: BRAND_INPUT(`Matrix ${randomUUID().slice(0, 8)}`) }),
  },
  {
    mutation: 'updateBrand',
    rule: 'brand admins',
    allowed: BRAND_ADMINS,
    document: `mutation ($id: ID!) { updateBrand(id: $id, input: { description: "Still oat drinks" }) { id } }`,
    call: async (fx) => vars({ id: fx.brandId }),
  },
  {
    mutation: 'archiveBrand',
    rule: 'brand admins',
    allowed: BRAND_ADMINS,
    document: `mutation ($id: ID!) { archiveBrand(id: $id, reason: "matrix") { id } }`,
    call: async (fx, cell) => vars({ id: await propFor(fx, cell, 'brand-to-archive', () => fx.newBrand()) }),
  },
  {
    mutation: 'addBrandMember',
    rule: 'brand admins',
    allowed: BRAND_ADMINS,
    document: `mutation ($b: ID!, $u: ID!) { addBrandMember(brandId: $b, userId: $u, role: viewer) { id } }`,
    call: async (fx) => vars({ b: fx.brandId, u: (await fx.shared('victim', () => fx.stranger())).id }),
  },
  {
    mutation: 'changeBrandMemberRole',
    rule: 'brand admins',
    allowed: BRAND_ADMINS,
    document: `mutation ($b: ID!, $u: ID!) { changeBrandMemberRole(brandId: $b, userId: $u, role: editor) { id } }`,
    call: async (fx) => vars({ b: fx.brandId, u: await fx.shared('member', () => fx.brandMember()) }),
  },
  {
    mutation: 'removeBrandMember',
    rule: 'brand admins',
    allowed: BRAND_ADMINS,
    document: `mutation ($b: ID!, $u: ID!) { removeBrandMember(brandId: $b, userId: $u) { id } }`,
    call: async (fx, cell) =>
      vars({ b: fx.brandId, u: await propFor(fx, cell, 'member-to-remove', () => fx.brandMember()) }),
  },
  {
    mutation: 'addMasterClaim',
    rule: 'brand admins',
    allowed: BRAND_ADMINS,
    document: `mutation ($b: ID!) { addMasterClaim(brandId: $b, country: "GB", text: "Source of fibre") { id } }`,
    call: async (fx) => vars({ b: fx.brandId }),
  },
  {
    mutation: 'removeMasterClaim',
    rule: 'brand admins',
    allowed: BRAND_ADMINS,
    document: `mutation ($b: ID!, $c: ID!) { removeMasterClaim(brandId: $b, claimId: $c) { id } }`,
    call: async (fx, cell) =>
      vars({ b: fx.brandId, c: await propFor(fx, cell, 'claim', () => fx.masterClaim()) }),
  },

  {
    mutation: 'inviteBrandMember',
    rule: 'brand admins',
    allowed: BRAND_ADMINS,
    document: `mutation ($b: ID!, $e: String!) { inviteBrandMember(brandId: $b, email: $e, role: viewer) { id } }`,
    call: async (fx) => vars({ b: fx.brandId, e: freshEmail() }),
  },
  {
    mutation: 'revokeBrandInvitation',
    rule: 'brand admins',
    allowed: BRAND_ADMINS,
    document: `mutation ($i: ID!) { revokeBrandInvitation(invitationId: $i) { id } }`,
    call: async (fx, cell) =>
      vars({ i: await propFor(fx, cell, 'invitation-to-revoke', () => fx.pendingInvitation()) }),
  },
  ...(['acceptBrandInvitation', 'declineBrandInvitation'] as const).flatMap((mutation): MatrixRow[] => [
    {
      // Allowed cells answer an invitation addressed to them; the deny cells share one addressed to
      // the API keys' owner (the creator), so a key is refused for being a key, not for the address.
      mutation,
      rule: 'the invitee, signed in with the invited address (a key cannot join a brand for its owner)',
      allowed: HUMANS,
      document: `mutation ($i: ID!) { ${mutation}(invitationId: $i) { id } }`,
      call: async (fx, cell) =>
        vars({
          i: await propFor(fx, cell, `${mutation}:key-owner`, () =>
            fx.invitationFor(cell.actor.email ?? fx.people.creator.email),
          ),
        }),
    },
    {
      mutation,
      variant: "someone else's invitation",
      rule: 'nobody but the invitee, not even a platform admin',
      allowed: [],
      document: `mutation ($i: ID!) { ${mutation}(invitationId: $i) { id } }`,
      call: async (fx) =>
        vars({ i: await fx.shared(`${mutation}:stranger`, () => fx.invitationFor(freshEmail())) }),
    },
  ]),

  // ---- content (members only; viewers read, editors+ write, approvers+ review and publish) ----
  {
    mutation: 'createContent',
    rule: 'brand editors, approvers, admins',
    allowed: BRAND_WRITERS,
    document: `mutation ($input: CreateContentInput!) { createContent(input: $input) { id } }`,
    call: async (fx) =>
      vars({
        input: {
          brandId: fx.brandId,
          type: 'article',
          title: 'Matrix',
          fields: [{ key: 'body', value: 'Oats.' }],
        },
      }),
  },
  {
    mutation: 'updateContent',
    rule: 'brand editors, approvers, admins',
    allowed: BRAND_WRITERS,
    document: `mutation ($id: ID!) { updateContent(id: $id, input: { title: "Oat milk, revised" }) { id } }`,
    call: async (fx) => vars({ id: await fx.shared('draft', () => fx.draft()) }),
  },
  {
    mutation: 'restoreVersion',
    rule: 'brand editors, approvers, admins',
    allowed: BRAND_WRITERS,
    document: `mutation ($id: ID!) { restoreVersion(id: $id, version: 1) { id } }`,
    call: async (fx) => vars({ id: await fx.shared('draft', () => fx.draft()) }),
  },
  {
    mutation: 'submitContent',
    rule: 'brand editors, approvers, admins',
    allowed: BRAND_WRITERS,
    document: `mutation ($id: ID!) { submitContent(id: $id) { id } }`,
    call: async (fx, cell) => vars({ id: await propFor(fx, cell, 'draft-to-submit', () => fx.draft()) }),
  },
  {
    mutation: 'approveContent',
    rule: "the current step's brand role (approver) or a brand admin; never your own",
    allowed: BRAND_REVIEWERS,
    document: `mutation ($id: ID!) { approveContent(id: $id) { id } }`,
    call: async (fx, cell) => vars({ id: await propFor(fx, cell, 'in-review', () => fx.inReview()) }),
  },
  {
    mutation: 'rejectContent',
    rule: "the current step's brand role (approver) or a brand admin; never your own",
    allowed: BRAND_REVIEWERS,
    document: `mutation ($id: ID!) { rejectContent(id: $id, reason: "Too many oats") { id } }`,
    call: async (fx, cell) => vars({ id: await propFor(fx, cell, 'in-review', () => fx.inReview()) }),
  },
  {
    mutation: 'publishContent',
    rule: 'brand approvers and admins',
    allowed: BRAND_REVIEWERS,
    document: `mutation ($id: ID!) { publishContent(id: $id) { id } }`,
    call: async (fx, cell) => vars({ id: await propFor(fx, cell, 'approved', () => fx.approved()) }),
  },
  {
    mutation: 'cancelPublish',
    rule: 'brand approvers and admins',
    allowed: BRAND_REVIEWERS,
    document: `mutation ($id: ID!) { cancelPublish(id: $id) { id } }`,
    call: async (fx, cell) => vars({ id: await propFor(fx, cell, 'scheduled', () => fx.scheduled()) }),
  },
  {
    // Published content needs the publishing saga (Temporal), which this app does not run: allowed
    // cells answer CONFLICT/NOT_PUBLISHED, which the decider says only after the role check.
    mutation: 'unpublishContent',
    rule: 'brand approvers and admins',
    allowed: BRAND_REVIEWERS,
    // Published content needs the publishing saga (Temporal), which this app does not run.
    reachedWith: ['CONFLICT/NOT_PUBLISHED'],
    document: `mutation ($id: ID!) { unpublishContent(id: $id, reason: "matrix") { id } }`,
    call: async (fx) => vars({ id: await fx.shared('approved', () => fx.approved()) }),
  },
  {
    mutation: 'archiveContent',
    rule: 'brand editors, approvers, admins',
    allowed: BRAND_WRITERS,
    document: `mutation ($id: ID!) { archiveContent(id: $id) { id } }`,
    call: async (fx, cell) => vars({ id: await propFor(fx, cell, 'draft-to-archive', () => fx.draft()) }),
  },
  {
    mutation: 'bulkUpdateContent',
    rule: 'brand editors, approvers, admins (each item on its own)',
    allowed: BRAND_WRITERS,
    document: `mutation ($items: [BulkUpdateContentItem!]!) {
      bulkUpdateContent(items: $items) { updated { id title } failed { id code reason message } } }`,
    call: async (fx) =>
      vars({
        items: [{ id: await fx.shared('draft', () => fx.draft()), input: { title: 'Oat milk, in bulk' } }],
      }),
    // Each item succeeds or fails on its own: a refused item is a failure with its error code.
    outcome: (response) => {
      const result = response.data?.bulkUpdateContent as
        | { updated: { id: string }[]; failed: { code: string }[] }
        | null
        | undefined;
      if (!result) return undefined;
      if (
        result.failed.length === 1 &&
        ['FORBIDDEN', 'UNAUTHENTICATED'].includes(result.failed[0]?.code ?? '')
      ) {
        return 'denied';
      }
      return result.updated.length === 1 ? 'allowed' : undefined;
    },
  },
  {
    mutation: 'bulkArchiveContent',
    rule: 'brand editors, approvers, admins (each item on its own)',
    allowed: BRAND_WRITERS,
    document: `mutation ($ids: [ID!]!) { bulkArchiveContent(ids: $ids) { archived failed { id code message } } }`,
    call: async (fx, cell) => vars({ ids: [await propFor(fx, cell, 'draft-to-archive', () => fx.draft())] }),
    // Each item succeeds or fails on its own: a refused item is a failure with its error code.
    outcome: (response) => {
      const result = response.data?.bulkArchiveContent as
        | { archived: string[]; failed: { code: string }[] }
        | null
        | undefined;
      if (!result) return undefined;
      if (
        result.failed.length === 1 &&
        ['FORBIDDEN', 'UNAUTHENTICATED'].includes(result.failed[0]?.code ?? '')
      ) {
        return 'denied';
      }
      return result.archived.length === 1 ? 'allowed' : undefined;
    },
  },
  {
    mutation: 'generateContent',
    rule: "the brand's editors, approvers and admins",
    allowed: BRAND_WRITERS,
    document: `mutation ($input: GenerateContentInput!) { generateContent(input: $input) { requestId } }`,
    call: async (fx) =>
      vars({
        input: {
          brandId: fx.brandId,
          templateName: 'Product page',
          fields: [{ key: 'body', label: 'Body', instructions: 'Two sentences about oat milk' }],
          brief: 'Oat milk for coffee',
        },
      }),
  },
  {
    mutation: 'generateMetadata',
    rule: "the brand's editors, approvers and admins",
    allowed: BRAND_WRITERS,
    document: `mutation ($id: ID!) { generateMetadata(contentId: $id) { __typename } }`,
    call: async (fx) => vars({ id: await fx.shared('draft', () => fx.draft()) }),
  },
  {
    mutation: 'generateAltText',
    rule: "the brand's editors, approvers and admins",
    allowed: BRAND_WRITERS,
    document: `mutation ($input: GenerateAltTextInput!) { generateAltText(input: $input) { requestId } }`,
    call: async (fx) => vars({ input: { brandId: fx.brandId, imageDescription: 'A glass of oat milk' } }),
  },
  {
    mutation: 'suggestTitles',
    rule: "the brand's editors, approvers and admins",
    allowed: BRAND_WRITERS,
    document: `mutation ($id: ID!) { suggestTitles(contentId: $id) { __typename } }`,
    call: async (fx) => vars({ id: await fx.shared('draft', () => fx.draft()) }),
  },
  {
    mutation: 'transcreateContent',
    rule: "the brand's editors, approvers and admins",
    allowed: BRAND_WRITERS,
    document: `mutation ($id: ID!) { transcreateContent(contentId: $id, targetLanguage: "de-DE") { __typename } }`,
    call: async (fx) => vars({ id: await fx.shared('draft', () => fx.draft()) }),
  },

  // ---- media and video posts ----
  {
    mutation: 'requestUpload',
    rule: 'any person (a key uploads for its owner)',
    allowed: PEOPLE,
    document: `mutation { requestUpload(kind: VIDEO, fileName: "clip.mp4", contentType: "video/mp4", size: 1000) { assetId } }`,
    call: async () => vars({}),
  },
  {
    mutation: 'confirmUpload',
    rule: 'the owner (the creator, or their key); others are told there is no such media',
    allowed: VIDEO_OWNER,
    document: `mutation ($id: ID!) { confirmUpload(id: $id) { id } }`,
    call: async (fx) => vars({ id: await fx.shared('confirm-asset', () => fx.videoAsset()) }),
    // The matrix runs on local storage, which takes no direct uploads: the owner is told so.
    reachedWith: ['CONFLICT/NOT_A_DIRECT_UPLOAD'],
    concealedAs: ['NOT_FOUND/MEDIA_NOT_FOUND'],
  },
  {
    mutation: 'deleteMedia',
    rule: 'the owner (the creator, or their key) or an admin',
    allowed: ['creator', 'admin', 'key:graphql:write'],
    document: `mutation ($id: ID!) { deleteMedia(id: $id) { id } }`,
    call: async (fx, cell) => vars({ id: await propFor(fx, cell, 'asset', () => fx.videoAsset()) }),
  },
  {
    mutation: 'createVideoPost',
    rule: 'the owner of the ready asset (the creator, or their key)',
    allowed: VIDEO_OWNER,
    document: `mutation ($input: CreateVideoPostInput!) { createVideoPost(input: $input) { id } }`,
    call: async (fx, cell) =>
      vars({ input: { assetId: await propFor(fx, cell, 'asset', () => fx.videoAsset()), title: 'Ollie' } }),
  },
  {
    mutation: 'updateVideoPost',
    rule: 'the owner and platform admins',
    allowed: [...VIDEO_OWNER, 'admin'],
    document: `mutation ($id: ID!) { updateVideoPost(id: $id, input: { title: "Kickflip, slowed" }) { id } }`,
    call: async (fx) => vars({ id: await fx.shared('post', () => fx.videoPost()) }),
  },
  {
    mutation: 'deleteVideoPost',
    rule: 'the owner, platform admins, and moderators (Breiq seed: moderator has delete:any:video)',
    allowed: [...VIDEO_OWNER, 'admin', 'moderator'],
    document: `mutation ($id: ID!) { deleteVideoPost(id: $id) }`,
    call: async (fx, cell) => vars({ id: await propFor(fx, cell, 'post', () => fx.videoPost()) }),
  },

  // ---- social graph (a follow or block is the caller's own, of a throwaway user none of them is) ----
  ...(['followUser', 'unfollowUser'] as const).map(
    (mutation): MatrixRow => ({
      mutation,
      rule: 'any person, for themself',
      allowed: PEOPLE,
      document: `mutation ($u: ID!) { ${mutation}(userId: $u) { id } }`,
      call: async (fx) => vars({ u: (await fx.shared('social-followee', () => fx.stranger())).id }),
    }),
  ),
  // Another target: a block would make the follow rows' allowed cells answer YOU_BLOCKED_THEM.
  ...(['blockUser', 'unblockUser'] as const).map(
    (mutation): MatrixRow => ({
      mutation,
      rule: 'any person, for themself',
      allowed: PEOPLE,
      document: `mutation ($u: ID!) { ${mutation}(userId: $u) { id } }`,
      call: async (fx) => vars({ u: (await fx.shared('social-blocked', () => fx.stranger())).id }),
    }),
  ),
  {
    mutation: 'setUsername',
    rule: 'any person, their own profile',
    allowed: PEOPLE,
    document: `mutation ($n: String!) { setUsername(username: $n) { id } }`,
    call: async () => vars({ n: `matrix_${randomUUID().slice(0, 8)}` }),
  },
  {
    // No image of each actor's own: an unknown asset is refused after who may set an avatar.
    mutation: 'setAvatar',
    rule: 'any person, their own profile, with an image they uploaded',
    allowed: PEOPLE,
    reachedWith: ['NOT_FOUND/MEDIA_NOT_FOUND'],
    document: `mutation ($a: ID!) { setAvatar(assetId: $a) { id } }`,
    call: async () => vars({ a: randomUUID() }),
  },
  {
    mutation: 'removeAvatar',
    rule: 'any person, their own profile',
    allowed: PEOPLE,
    document: `mutation { removeAvatar { id } }`,
    call: async () => vars({}),
  },

  // ---- social engagement (the creator's public video; comments written by the `user` actor) ----
  ...(['like', 'unlike'] as const).map(
    (mutation): MatrixRow => ({
      mutation,
      rule: 'any person, for themself',
      allowed: PEOPLE,
      document: `mutation ($id: ID!) { ${mutation}(targetKind: video, targetId: $id) { likeCount } }`,
      call: async (fx) => vars({ id: await fx.shared('engaged-video', () => fx.videoPost()) }),
    }),
  ),
  {
    mutation: 'postComment',
    rule: 'any person, as themself',
    allowed: PEOPLE,
    document: `mutation ($v: ID!) { postComment(videoId: $v, body: "Clean landing") { id } }`,
    call: async (fx) => vars({ v: await fx.shared('engaged-video', () => fx.videoPost()) }),
  },
  {
    mutation: 'editComment',
    rule: 'the comment’s author only',
    allowed: ['user'],
    document: `mutation ($id: ID!) { editComment(id: $id, body: "Cleaner landing") { id } }`,
    call: async (fx, cell) => vars({ id: await propFor(fx, cell, 'user-comment', () => userComment(fx)) }),
  },
  {
    mutation: 'deleteComment',
    rule: 'the author, the video’s owner, moderators and admins',
    allowed: ['user', ...VIDEO_OWNER, 'moderator', 'admin'],
    document: `mutation ($id: ID!) { deleteComment(id: $id) { id } }`,
    call: async (fx, cell) => vars({ id: await propFor(fx, cell, 'user-comment', () => userComment(fx)) }),
  },
  {
    mutation: 'setCommentsEnabled',
    rule: 'the video’s owner and platform admins',
    allowed: [...VIDEO_OWNER, 'admin'],
    document: `mutation ($v: ID!) { setCommentsEnabled(videoId: $v, enabled: true) { commentsEnabled } }`,
    call: async (fx) => vars({ v: await fx.shared('engaged-video', () => fx.videoPost()) }),
  },
  {
    mutation: 'shareVideo',
    rule: 'any person, attributed to themself',
    allowed: PEOPLE,
    document: `mutation ($v: ID!) { shareVideo(videoId: $v, platform: copy_link) { id } }`,
    call: async (fx) => vars({ v: await fx.shared('engaged-video', () => fx.videoPost()) }),
  },
  {
    // The video is the creator's: the creator (and their key) reach the "not your own" check.
    mutation: 'reportContent',
    rule: 'any person, of content not their own',
    allowed: PEOPLE,
    reachedWith: ['VALIDATION/CANNOT_REPORT_OWN'],
    document: `mutation ($v: ID!) { reportContent(targetKind: video, targetId: $v, reason: spam) }`,
    call: async (fx) => vars({ v: await fx.shared('engaged-video', () => fx.videoPost()) }),
  },
  ...(['hideContent', 'restoreContent'] as const).map(
    (mutation): MatrixRow => ({
      mutation,
      rule: 'platform moderators and admins (never an API key)',
      allowed: ['moderator', 'admin'],
      document:
        mutation === 'hideContent'
          ? `mutation ($id: ID!) { hideContent(targetKind: comment, targetId: $id, reason: "Spam") { visibility } }`
          : `mutation ($id: ID!) { restoreContent(targetKind: comment, targetId: $id) { visibility } }`,
      call: async (fx, cell) =>
        vars({ id: await propFor(fx, cell, `${mutation}-comment`, () => userComment(fx, 'creator')) }),
    }),
  ),

  // ---- chat (see CHAT_MEMBERS; the `user` actor owns the group) ----
  {
    mutation: 'startDirectConversation',
    rule: 'any person, as themself',
    allowed: PEOPLE,
    document: `mutation ($u: ID!) { startDirectConversation(userId: $u) { id } }`,
    call: async (fx) => vars({ u: (await fx.shared('chat-peer', () => fx.stranger())).id }),
  },
  {
    mutation: 'createGroupConversation',
    rule: 'any person, who owns the group',
    allowed: PEOPLE,
    document: `mutation ($m: [ID!]!) { createGroupConversation(title: "Matrix", memberIds: $m) { id } }`,
    call: async (fx) => vars({ m: [(await fx.shared('chat-peer', () => fx.stranger())).id] }),
  },
  {
    mutation: 'addConversationMembers',
    rule: 'the group’s owner and admins',
    allowed: CHAT_OWNER,
    concealedAs: CHAT_CONCEALED,
    document: `mutation ($c: ID!, $u: ID!) { addConversationMembers(conversationId: $c, userIds: [$u]) { id } }`,
    call: async (fx, cell) =>
      vars({
        c: await fx.shared('chat-group', () => fx.chatGroup()),
        u: (await propFor(fx, cell, 'chat-newcomer', () => fx.stranger())).id,
      }),
  },
  {
    mutation: 'removeConversationMember',
    rule: 'the group’s owner and admins',
    allowed: CHAT_OWNER,
    concealedAs: CHAT_CONCEALED,
    document: `mutation ($c: ID!, $u: ID!) { removeConversationMember(conversationId: $c, userId: $u) { id } }`,
    call: async (fx, cell) => {
      const { c, u } = await propFor(fx, cell, 'chat-removable', async () => {
        const member = await fx.stranger();
        return { c: await fx.chatGroup([member.id]), u: member.id };
      });
      return vars({ c, u });
    },
  },
  {
    mutation: 'leaveConversation',
    rule: 'any member, for themself',
    allowed: CHAT_MEMBERS,
    concealedAs: CHAT_CONCEALED,
    document: `mutation ($c: ID!) { leaveConversation(conversationId: $c) }`,
    call: async (fx, cell) => vars({ c: await propFor(fx, cell, 'chat-group', () => fx.chatGroup()) }),
  },
  {
    mutation: 'changeConversationRole',
    rule: 'the group’s owner only',
    allowed: CHAT_OWNER,
    concealedAs: CHAT_CONCEALED,
    document: `mutation ($c: ID!, $u: ID!) { changeConversationRole(conversationId: $c, userId: $u, role: MEMBER) { id } }`,
    call: async (fx) =>
      vars({ c: await fx.shared('chat-group', () => fx.chatGroup()), u: fx.people.creator.id }),
  },
  {
    mutation: 'updateConversationDetails',
    rule: 'the group’s owner and admins',
    allowed: CHAT_OWNER,
    concealedAs: CHAT_CONCEALED,
    document: `mutation ($c: ID!) { updateConversationDetails(conversationId: $c, title: "Renamed") { id } }`,
    call: async (fx) => vars({ c: await fx.shared('chat-group', () => fx.chatGroup()) }),
  },
  ...(['markConversationDelivered', 'markConversationRead'] as const).map(
    (mutation): MatrixRow => ({
      mutation,
      rule: 'any member, for themself',
      allowed: CHAT_MEMBERS,
      concealedAs: CHAT_CONCEALED,
      document: `mutation ($c: ID!, $m: ID!) { ${mutation}(conversationId: $c, messageId: $m) { id } }`,
      call: async (fx) => {
        const { conversationId, messageId } = await fx.shared('chat-message', () => fx.chatMessage('user'));
        return vars({ c: conversationId, m: messageId });
      },
    }),
  ),
  {
    mutation: 'setConversationSettings',
    rule: 'any member, for themself',
    allowed: CHAT_MEMBERS,
    concealedAs: CHAT_CONCEALED,
    document: `mutation ($c: ID!) { setConversationSettings(conversationId: $c, muted: true) { id } }`,
    call: async (fx) => vars({ c: await fx.shared('chat-group', () => fx.chatGroup()) }),
  },
  {
    mutation: 'sendChatMessage',
    rule: 'any member, as themself',
    allowed: CHAT_MEMBERS,
    concealedAs: CHAT_CONCEALED,
    document: `mutation ($c: ID!) { sendChatMessage(conversationId: $c, text: "Hello") { id } }`,
    call: async (fx) => vars({ c: await fx.shared('chat-group', () => fx.chatGroup()) }),
  },
  {
    mutation: 'editChatMessage',
    rule: 'the message’s sender only',
    allowed: ['user'],
    concealedAs: ['NOT_FOUND/MESSAGE_NOT_FOUND', ...CHAT_CONCEALED],
    document: `mutation ($m: ID!) { editChatMessage(id: $m, text: "Edited") { id } }`,
    call: async (fx) =>
      vars({ m: (await fx.shared('chat-message', () => fx.chatMessage('user'))).messageId }),
  },
  {
    mutation: 'deleteChatMessageForMe',
    rule: 'any member who sees it, for themself',
    allowed: CHAT_MEMBERS,
    concealedAs: ['NOT_FOUND/MESSAGE_NOT_FOUND', ...CHAT_CONCEALED],
    document: `mutation ($m: ID!) { deleteChatMessageForMe(id: $m) }`,
    call: async (fx, cell) =>
      vars({ m: (await propFor(fx, cell, 'chat-message', () => fx.chatMessage('user'))).messageId }),
  },
  {
    // The creator's message: the creator (and their key) as its sender, the `user` as the group's owner.
    mutation: 'deleteChatMessageForEveryone',
    rule: 'the sender, and the group’s owner and admins',
    allowed: CHAT_MEMBERS,
    concealedAs: ['NOT_FOUND/MESSAGE_NOT_FOUND', ...CHAT_CONCEALED],
    document: `mutation ($m: ID!) { deleteChatMessageForEveryone(id: $m) { id } }`,
    call: async (fx, cell) =>
      vars({
        m: (await propFor(fx, cell, 'chat-creator-message', () => fx.chatMessage('creator'))).messageId,
      }),
  },
  ...(['reactToChatMessage', 'removeChatReaction'] as const).map(
    (mutation): MatrixRow => ({
      mutation,
      rule: 'any member, for themself',
      allowed: CHAT_MEMBERS,
      concealedAs: ['NOT_FOUND/MESSAGE_NOT_FOUND', ...CHAT_CONCEALED],
      document: `mutation ($m: ID!) { ${mutation}(id: $m, emoji: "👍") { id } }`,
      call: async (fx) =>
        vars({ m: (await fx.shared('chat-message', () => fx.chatMessage('user'))).messageId }),
    }),
  ),
  {
    mutation: 'setTyping',
    rule: 'any member (nothing stored)',
    allowed: CHAT_MEMBERS,
    concealedAs: CHAT_CONCEALED,
    document: `mutation ($c: ID!) { setTyping(conversationId: $c) }`,
    call: async (fx) => vars({ c: await fx.shared('chat-group', () => fx.chatGroup()) }),
  },
  {
    mutation: 'heartbeat',
    rule: 'any person, for themself (nothing stored)',
    allowed: PEOPLE,
    document: `mutation { heartbeat }`,
    call: async () => vars({}),
  },

  // ---- mentorship (learner = user, mentor = creator) ----
  {
    mutation: 'upsertMentorProfile',
    rule: 'yourself (a profile speaks for its person)',
    allowed: PEOPLE,
    document: `mutation ($input: MentorProfileInput!) { upsertMentorProfile(input: $input) { __typename } }`,
    call: async () => vars({ input: MENTOR_PROFILE }),
  },
  {
    mutation: 'upsertLearnerProfile',
    rule: 'yourself',
    allowed: PEOPLE,
    document: `mutation ($input: LearnerProfileInput!) { upsertLearnerProfile(input: $input) { __typename } }`,
    call: async () => vars({ input: LEARNER_PROFILE }),
  },
  {
    // Without a learner profile the answer is a CONFLICT: who may ask was settled first.
    mutation: 'requestMatch',
    rule: 'any person, for themself',
    allowed: PEOPLE,
    document: `mutation { requestMatch(input: { subject: "typescript" }) { id } }`,
    call: async () => vars({}),
  },
  {
    mutation: 'acceptOffer',
    rule: 'the mentor the offer went to',
    allowed: MENTOR,
    document: `mutation ($r: ID!) { acceptOffer(requestId: $r, offerNumber: 1) { id } }`,
    call: async (fx, cell) => vars({ r: await propFor(fx, cell, 'offered', () => fx.offeredRequest()) }),
  },
  {
    mutation: 'declineOffer',
    rule: 'the mentor the offer went to',
    allowed: MENTOR,
    document: `mutation ($r: ID!) { declineOffer(requestId: $r, offerNumber: 1, reason: "busy") { id } }`,
    call: async (fx, cell) => vars({ r: await propFor(fx, cell, 'offered', () => fx.offeredRequest()) }),
  },
  {
    mutation: 'cancelMatchRequest',
    rule: 'the learner who asked',
    allowed: ['user'],
    document: `mutation ($r: ID!) { cancelMatchRequest(requestId: $r) { id } }`,
    call: async (fx, cell) => vars({ r: await propFor(fx, cell, 'open-request', () => fx.openRequest()) }),
  },
  {
    mutation: 'endMentorship',
    rule: 'the mentor or the learner of the matched request',
    allowed: PARTICIPANTS,
    document: `mutation ($r: ID!) { endMentorship(requestId: $r) { id } }`,
    call: async (fx, cell) => vars({ r: await propFor(fx, cell, 'matched', () => fx.matchedRequest()) }),
    // Strangers are told there is no such request, so they learn nothing about it.
    concealedAs: ['NOT_FOUND/MATCH_REQUEST_NOT_FOUND'],
  },
  {
    mutation: 'scheduleSession',
    rule: 'either side of a matched request',
    allowed: PARTICIPANTS,
    document: `mutation ($input: ScheduleSessionInput!) { scheduleSession(input: $input) { id } }`,
    call: async (fx) => {
      // Whole hours, a different day per call, so no two cells book the same time.
      const startsAt = new Date(Date.now() + (3 + sessionDay++) * 86_400_000);
      startsAt.setUTCMinutes(0, 0, 0);
      const matchRequestId = await fx.shared('sessions-match', () => fx.matchedRequest());
      return vars({ input: { matchRequestId, startsAt: startsAt.toISOString(), durationMinutes: 60 } });
    },
  },
  {
    mutation: 'startSession',
    rule: 'participants',
    allowed: PARTICIPANTS,
    document: `mutation ($id: ID!) { startSession(id: $id) { id } }`,
    call: async (fx, cell) => vars({ id: await propFor(fx, cell, 'session-soon', () => fx.session('soon')) }),
  },
  {
    mutation: 'endSession',
    rule: 'participants',
    allowed: PARTICIPANTS,
    document: `mutation ($id: ID!) { endSession(id: $id) { id } }`,
    call: async (fx, cell) =>
      vars({ id: await propFor(fx, cell, 'session-started', () => fx.session('started')) }),
  },
  {
    mutation: 'cancelSession',
    rule: 'participants or an admin, before the start',
    allowed: [...PARTICIPANTS, 'admin'],
    document: `mutation ($id: ID!) { cancelSession(id: $id, reason: "matrix") { id } }`,
    call: async (fx, cell) => vars({ id: await propFor(fx, cell, 'session-soon', () => fx.session('soon')) }),
  },
  {
    mutation: 'rateSession',
    rule: 'participants, once per side, after the end',
    allowed: PARTICIPANTS,
    document: `mutation ($id: ID!) { rateSession(id: $id, rating: 5) { id } }`,
    call: async (fx, cell) =>
      vars({ id: await propFor(fx, cell, 'session-ended', () => fx.session('ended')) }),
  },
  {
    mutation: 'addSessionNotes',
    rule: 'participants (private to their author)',
    allowed: PARTICIPANTS,
    document: `mutation ($id: ID!) { addSessionNotes(id: $id, notes: "Talked about generics") { id } }`,
    call: async (fx) => vars({ id: await fx.shared('session-soon', () => fx.session('soon')) }),
  },
  {
    mutation: 'startConversation',
    rule: 'a signed-in learner (API keys may read conversations, not talk)',
    allowed: HUMANS,
    document: `mutation { startConversation(persona: fintech) { id } }`,
    call: async () => vars({}),
  },
  {
    mutation: 'sendMentorMessage',
    rule: "the conversation's learner",
    allowed: ['user'],
    document: `mutation ($c: ID!) { sendMentorMessage(conversationId: $c, text: "How do I find a sponsor bank?") { replyId } }`,
    call: async (fx) => vars({ c: await fx.shared('conversation', () => fx.conversation()) }),
  },
  {
    // With no failed reply to retry the learner gets a CONFLICT, after the "who" check.
    mutation: 'retryMentorReply',
    rule: "the conversation's learner",
    allowed: ['user'],
    reachedWith: ['CONFLICT/NOTHING_TO_RETRY'],
    document: `mutation ($c: ID!) { retryMentorReply(conversationId: $c) { replyId } }`,
    call: async (fx) => vars({ c: await fx.shared('conversation', () => fx.conversation()) }),
  },
  // ---- communities (see authz-communities.ts: the `user` actor owns the fixture's communities) ----
  ...COMMUNITY_ROWS,
  // ---- notifications, devices, account recovery and passkeys (see authz-notifications.ts) ----
  ...NOTIFICATION_ROWS,
  // ---- offline sync: one's own devices and conflicts (see authz-sync.ts) ----
  ...SYNC_ROWS,
  // ---- integrator webhooks ----
  {
    mutation: 'createEventWebhook',
    rule: 'who may read the event stream and write: admins, or a key with events:read and graphql:write (no single-scope key has both)',
    allowed: ['admin'],
    document: `mutation ($input: CreateEventWebhookInput!) { createEventWebhook(input: $input) { id } }`,
    call: async () => vars({ input: { url: WEBHOOK_URL, types: ['UserRegistered'] } }),
  },
  ...(['pauseEventWebhook', 'resumeEventWebhook', 'deleteEventWebhook'] as const).map(
    (mutation): MatrixRow => ({
      mutation,
      rule: "the webhook's owner (anyone else is told there is no such webhook)",
      allowed: ['admin'],
      concealedAs: ['NOT_FOUND/WEBHOOK_NOT_FOUND'],
      document: `mutation ($id: ID!) { ${mutation}(id: $id)${mutation === 'deleteEventWebhook' ? '' : ' { id }'} }`,
      call: async (fx, cell) =>
        vars({ id: await propFor(fx, cell, 'event-webhook', () => eventWebhook(fx)) }),
    }),
  ),
  {
    mutation: 'replayEventWebhook',
    rule: "the webhook's owner (anyone else is told there is no such webhook)",
    allowed: ['admin'],
    concealedAs: ['NOT_FOUND/WEBHOOK_NOT_FOUND'],
    document: `mutation ($id: ID!) { replayEventWebhook(id: $id, after: "0") { id } }`,
    call: async (fx, cell) => vars({ id: await propFor(fx, cell, 'event-webhook', () => eventWebhook(fx)) }),
  },
];

const WEBHOOK_URL = 'https://hooks.example.org/matrix';

/** A webhook of the admin's (only admins make them in the matrix: no single-scope key can). */
async function eventWebhook(fx: AuthzFixture): Promise<string> {
  const created = await fx.gqlOk<{ id: string }>(
    `mutation ($input: CreateEventWebhookInput!) { createEventWebhook(input: $input) { id } }`,
    { input: { url: WEBHOOK_URL, types: ['UserRegistered'] } },
    fx.people.admin.token,
    'createEventWebhook',
  );
  return created.id;
}
