import { randomUUID } from 'node:crypto';
import { totpCode, totpStep } from '../../src/auth/totp.ts';
import { handleCommand } from '../../src/commands/handle-command.ts';
import type { AggregateSpec } from '../../src/commands/types.ts';
import type { MatchRequestCommand } from '../../src/domain/mentorship/match-request-commands.ts';
import { matchRequestAggregate } from '../../src/domain/mentorship/match-request-decider.ts';
import type { MentorProfileCommand } from '../../src/domain/mentorship/mentor-profile-commands.ts';
import { mentorProfileAggregate } from '../../src/domain/mentorship/mentor-profile-decider.ts';
import type { SessionCommand } from '../../src/domain/mentorship/session-commands.ts';
import { sessionAggregate } from '../../src/domain/mentorship/session-decider.ts';
import {
  matchRequestStream,
  mentorSessionStream,
  mentorStream,
} from '../../src/domain/mentorship/streams.ts';
import type { Actor, DomainEvent, PlatformRole } from '../../src/domain/shared/decider.ts';
import { waitForPosition } from '../../src/projections/wait-for-position.ts';
import { setRole } from '../../src/services/identity/account.ts';
import { fieldOf, type IdentityApp } from '../api/support/identity-app.ts';
import { freshEmail, identityDeps, registerUser, signIn } from '../api/support/identity-operations.ts';
import { mediaAsset } from '../api/videos/support.ts';

/**
 * The cast and the props of the authorisation matrix: one signed-in actor per role, API keys per
 * scope, a brand with an editor and an approver, a creator's video, a learner and a mentor. Every
 * prop is made through the real API (or, for the steps only sagas take, the real command pipeline)
 * by the person the seeds say makes it.
 */

export const ROLES = [
  'anonymous',
  'user',
  'creator',
  'brandEditor',
  'approver',
  'moderator',
  'admin',
  'auditor',
  'key:events:read',
  'key:graphql:read',
  'key:graphql:write',
  'key:audit:read',
] as const;
export type RoleName = (typeof ROLES)[number];

export interface Person {
  id: string;
  email: string;
  token: string;
}

/** Who sends a cell's request: a bearer token (none for anonymous) and the person it acts for. */
export interface MatrixActor {
  role: RoleName;
  token: string | undefined;
  /** The user, or the API key's owner; null for anonymous. */
  personId: string | null;
  /** How to get another token of this same actor (a new sign-in session); null for keys/anonymous. */
  email: string | null;
}

const SYSTEM: Actor = { kind: 'system', process: 'authz-matrix' };
const asUser = (userId: string): Actor => ({ kind: 'user', userId, role: 'user' });
const FACTORS = { subject: 1, style: 1, language: 1, availability: 1, timezone: 1, history: 0.5, score: 0.9 };
const SLOT = [{ day: 0, start: '09:00', end: '17:00' }];

export class AuthzFixture {
  private readonly memo = new Map<string, Promise<unknown>>();
  private sessionSlot = 0;

  private constructor(
    readonly api: IdentityApp,
    readonly actors: Record<RoleName, MatrixActor>,
    readonly people: {
      user: Person;
      creator: Person;
      editor: Person;
      approver: Person;
      moderator: Person;
      admin: Person;
    },
    readonly brandId: string,
  ) {}

  /** The learner of the mentorship props is the `user` actor; their mentor is the `creator`. */
  get learner() {
    return this.people.user;
  }
  get mentor() {
    return this.people.creator;
  }

  static async create(api: IdentityApp): Promise<AuthzFixture> {
    const [user, creator, editor, approver, moderator, admin, auditor] = await Promise.all([
      person(api, 'user'),
      person(api, 'creator'),
      person(api, 'user'),
      person(api, 'user'),
      person(api, 'moderator'),
      person(api, 'admin'),
      person(api, 'auditor'),
    ]);
    const brandId = await createBrand(api, admin.token);
    for (const [member, role] of [
      [editor, 'editor'],
      [approver, 'approver'],
    ] as const) {
      fieldOf(
        await api.gql(
          `mutation ($b: ID!, $u: ID!, $r: BrandRole!) { addBrandMember(brandId: $b, userId: $u, role: $r) { id } }`,
          { b: brandId, u: member.id, r: role },
          admin.token,
        ),
        'addBrandMember',
      );
    }
    const key = async (owner: Person, scope: string) =>
      fieldOf<{ key: string }>(
        await api.gql(
          `mutation ($n: String!, $s: [ApiScope!]!) { createApiKey(name: $n, scopes: $s) { key } }`,
          { n: `matrix ${scope}`, s: [scope] },
          owner.token,
        ),
        'createApiKey',
      ).key;
    // Integrators' keys belong to the creator (the owner of the video props and the mentor), so a
    // write key shows what "acting for its owner" allows; audit keys can only come from an auditor.
    const [eventsKey, readKey, writeKey, auditKey] = await Promise.all([
      key(creator, 'EVENTS_READ'),
      key(creator, 'GRAPHQL_READ'),
      key(creator, 'GRAPHQL_WRITE'),
      key(auditor, 'AUDIT_READ'),
    ]);
    const human = (role: RoleName, p: Person): MatrixActor => ({
      role,
      token: p.token,
      personId: p.id,
      email: p.email,
    });
    const integration = (role: RoleName, token: string, owner: Person): MatrixActor => ({
      role,
      token,
      personId: owner.id,
      email: null,
    });
    const actors: Record<RoleName, MatrixActor> = {
      anonymous: { role: 'anonymous', token: undefined, personId: null, email: null },
      user: human('user', user),
      creator: human('creator', creator),
      brandEditor: human('brandEditor', editor),
      approver: human('approver', approver),
      moderator: human('moderator', moderator),
      admin: human('admin', admin),
      auditor: human('auditor', auditor),
      'key:events:read': integration('key:events:read', eventsKey, creator),
      'key:graphql:read': integration('key:graphql:read', readKey, creator),
      'key:graphql:write': integration('key:graphql:write', writeKey, creator),
      'key:audit:read': integration('key:audit:read', auditKey, auditor),
    };
    const fixture = new AuthzFixture(
      api,
      actors,
      { user, creator, editor, approver, moderator, admin },
      brandId,
    );
    await fixture.mentorshipProfiles();
    return fixture;
  }

  /** One shared prop per name: deny cells all use the same one (they must not change it). */
  shared<T>(name: string, make: () => Promise<T>): Promise<T> {
    let made = this.memo.get(name) as Promise<T> | undefined;
    if (!made) {
      made = make();
      this.memo.set(name, made);
    }
    return made;
  }

  async gqlOk<T>(query: string, variables: Record<string, unknown>, token: string, field: string) {
    return fieldOf<T>(await this.api.gql(query, variables, token), field);
  }

  // ---- identity ----

  /**
   * A throwaway user that no actor depends on (a victim of setRole, deactivateUser, forgetUser...),
   * not signed in: nobody acts as them, and each sign-in costs a scrypt run.
   */
  async stranger(): Promise<{ id: string; email: string }> {
    return registerUser(this.api, freshEmail(), 'Matrix stranger');
  }

  /** A new sign-in session of a person: its token can be ended without harming the actor's. */
  async newSession(email: string | null) {
    if (!email) throw new Error('only a person with an e-mail address signs in');
    return signIn(this.api, email);
  }

  /** A code that does not match the actor's (new) pending second-factor set-up, now or a step either side. */
  async wrongTotpCode(actor: MatrixActor): Promise<string> {
    if (!actor.token) throw new Error(`${actor.role} cannot set up a second factor`);
    const { secret } = await this.gqlOk<{ secret: string }>(
      `mutation { enableTotp { secret } }`,
      {},
      actor.token,
      'enableTotp',
    );
    const step = totpStep(new Date());
    const valid = new Set([-2, -1, 0, 1, 2].map((d) => totpCode(secret, step + d)));
    const code = ['000000', '111111', '222222', '333333', '444444', '555555'].find((c) => !valid.has(c));
    if (!code) throw new Error('no wrong code left');
    return code;
  }

  /** An API key of the `user` actor's own (revokeApiKey's target). */
  async userApiKey(): Promise<string> {
    const created = await this.gqlOk<{ apiKey: { id: string } }>(
      `mutation { createApiKey(name: "to revoke", scopes: [GRAPHQL_READ]) { apiKey { id } } }`,
      {},
      this.learner.token,
      'createApiKey',
    );
    return created.apiKey.id;
  }

  // ---- brands and content ----

  newBrand(): Promise<string> {
    return createBrand(this.api, this.people.admin.token);
  }

  /** A viewer of the fixture brand (who can be promoted, demoted or removed). */
  async brandMember(): Promise<string> {
    const member = await this.stranger();
    await this.gqlOk(
      `mutation ($b: ID!, $u: ID!) { addBrandMember(brandId: $b, userId: $u, role: viewer) { id } }`,
      { b: this.brandId, u: member.id },
      this.people.admin.token,
      'addBrandMember',
    );
    return member.id;
  }

  async masterClaim(): Promise<string> {
    const text = `Claim ${randomUUID()}`;
    const brand = await this.gqlOk<{ masterClaims: { id: string; text: string }[] }>(
      `mutation ($b: ID!, $t: String!) { addMasterClaim(brandId: $b, country: "GB", text: $t) { masterClaims { id text } } }`,
      { b: this.brandId, t: text },
      this.people.admin.token,
      'addMasterClaim',
    );
    const claim = brand.masterClaims.find((c) => c.text === text);
    if (!claim) throw new Error('the master claim was not added');
    return claim.id;
  }

  /** An invitation to the fixture brand, for an address nobody has registered. */
  async pendingInvitation(): Promise<string> {
    return this.invite(this.brandId, freshEmail());
  }

  /**
   * An invitation for `email` to a brand of its own that the platform admin made and then left to
   * a stranger, so that any person (that admin too) can be invited to it and accept.
   */
  async invitationFor(email: string): Promise<string> {
    const brandId = await this.newBrand();
    const keeper = await this.stranger();
    const admin = this.people.admin;
    await this.gqlOk(
      `mutation ($b: ID!, $u: ID!) { addBrandMember(brandId: $b, userId: $u, role: admin) { id } }`,
      { b: brandId, u: keeper.id },
      admin.token,
      'addBrandMember',
    );
    await this.gqlOk(
      `mutation ($b: ID!, $u: ID!) { removeBrandMember(brandId: $b, userId: $u) { id } }`,
      { b: brandId, u: admin.id },
      admin.token,
      'removeBrandMember',
    );
    return this.invite(brandId, email);
  }

  private async invite(brandId: string, email: string): Promise<string> {
    const invitation = await this.gqlOk<{ id: string }>(
      `mutation ($b: ID!, $e: String!) { inviteBrandMember(brandId: $b, email: $e, role: viewer) { id } }`,
      { b: brandId, e: email },
      this.people.admin.token,
      'inviteBrandMember',
    );
    return invitation.id;
  }

  /** A draft written by the brand editor. */
  async draft(): Promise<string> {
    const content = await this.gqlOk<{ id: string }>(
      `mutation ($input: CreateContentInput!) { createContent(input: $input) { id } }`,
      {
        input: {
          brandId: this.brandId,
          type: 'article',
          title: 'Oat milk, explained',
          fields: [{ key: 'body', value: 'Made from Swedish oats; foams well in coffee.' }],
        },
      },
      this.people.editor.token,
      'createContent',
    );
    return content.id;
  }

  async inReview(): Promise<string> {
    const id = await this.draft();
    await this.gqlOk(
      `mutation ($id: ID!) { submitContent(id: $id) { id } }`,
      { id },
      this.people.editor.token,
      'submitContent',
    );
    return id;
  }

  async approved(): Promise<string> {
    const id = await this.inReview();
    await this.gqlOk(
      `mutation ($id: ID!) { approveContent(id: $id) { id } }`,
      { id },
      this.people.approver.token,
      'approveContent',
    );
    return id;
  }

  /** Approved, then scheduled for tomorrow (a durable timer nobody runs here: it stays scheduled). */
  async scheduled(): Promise<string> {
    const id = await this.approved();
    const at = new Date(Date.now() + 86_400_000).toISOString();
    await this.gqlOk(
      `mutation ($id: ID!, $at: String) { publishContent(id: $id, at: $at) { id } }`,
      { id, at },
      this.people.approver.token,
      'publishContent',
    );
    return id;
  }

  // ---- media and videos ----

  /** A ready video asset of the creator's. */
  videoAsset(): Promise<string> {
    return mediaAsset(this.api, this.people.creator.id);
  }

  async videoPost(): Promise<string> {
    const assetId = await this.videoAsset();
    const post = await this.gqlOk<{ id: string }>(
      `mutation ($input: CreateVideoPostInput!) { createVideoPost(input: $input) { id } }`,
      { input: { assetId, title: 'Kickflip', visibility: 'public' } },
      this.people.creator.token,
      'createVideoPost',
    );
    return post.id;
  }

  // ---- mentorship (learner = the user actor, mentor = the creator) ----

  private async mentorshipProfiles() {
    await Promise.all([
      this.gqlOk(
        `mutation ($input: MentorProfileInput!) { upsertMentorProfile(input: $input) { __typename } }`,
        { input: MENTOR_PROFILE },
        this.mentor.token,
        'upsertMentorProfile',
      ),
      this.gqlOk(
        `mutation ($input: LearnerProfileInput!) { upsertLearnerProfile(input: $input) { __typename } }`,
        { input: LEARNER_PROFILE },
        this.learner.token,
        'upsertLearnerProfile',
      ),
    ]);
  }

  /** A request of the learner's, as `requestMatch` leaves it (no saga runs here). */
  async openRequest(): Promise<string> {
    const requestId = randomUUID();
    await this.issue(matchRequestAggregate, matchRequestStream(requestId), asUser(this.learner.id), {
      type: 'RequestMatch',
      requestId,
      learnerId: this.learner.id,
      subject: 'typescript',
      learnerHasProfile: true,
    } satisfies MatchRequestCommand);
    return requestId;
  }

  /** An open request whose first offer went to the mentor, as the matching saga offers it. */
  async offeredRequest(): Promise<string> {
    const requestId = await this.openRequest();
    await this.issue(matchRequestAggregate, matchRequestStream(requestId), SYSTEM, {
      type: 'OfferMentor',
      mentorId: this.mentor.id,
      offerNumber: 1,
      factors: FACTORS,
      mentorCohort: 'new',
      expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
    } satisfies MatchRequestCommand);
    return requestId;
  }

  /** Offered, accepted by the mentor, the mentee seated and the match made: the saga's path. */
  async matchedRequest(): Promise<string> {
    const requestId = await this.offeredRequest();
    const stream = matchRequestStream(requestId);
    await this.issue(matchRequestAggregate, stream, asUser(this.mentor.id), {
      type: 'AcceptOffer',
      offerNumber: 1,
    } satisfies MatchRequestCommand);
    await this.issue(mentorProfileAggregate, mentorStream(this.mentor.id), SYSTEM, {
      type: 'AddMentee',
      requestId,
      learnerId: this.learner.id,
    } satisfies MentorProfileCommand);
    await this.issue(matchRequestAggregate, stream, SYSTEM, {
      type: 'MakeMatch',
      mentorId: this.mentor.id,
      offerNumber: 1,
      factors: FACTORS,
    } satisfies MatchRequestCommand);
    return requestId;
  }

  /**
   * A session of the shared matched request, recorded straight on its stream (calendars are not
   * what the matrix is about, and they would refuse sessions this close together):
   * `soon` starts in 5 minutes (startable now), `started` and `ended` began an hour ago.
   */
  async session(stage: 'soon' | 'started' | 'ended'): Promise<string> {
    const matchRequestId = await this.shared('sessions-match', () => this.matchedRequest());
    const sessionId = randomUUID();
    const real = Date.now();
    const startsAt = stage === 'soon' ? real + 5 * 60_000 : real - 3_600_000 + this.sessionSlot++ * 1000;
    const decidedAt = new Date(startsAt - 60_000);
    const stream = mentorSessionStream(sessionId);
    const learner = asUser(this.learner.id);
    await this.issue(
      sessionAggregate,
      stream,
      learner,
      {
        type: 'ScheduleSession',
        sessionId,
        matchRequestId,
        match: {
          requestId: matchRequestId,
          learnerId: this.learner.id,
          mentorId: this.mentor.id,
          matched: true,
          ended: false,
        },
        startsAt: new Date(startsAt).toISOString(),
        durationMinutes: 120,
        room: {
          provider: 'local',
          roomName: sessionId,
          url: `local://no-media/${sessionId}`,
          hasMedia: false,
        },
      } satisfies SessionCommand,
      decidedAt,
    );
    if (stage !== 'soon') {
      await this.issue(sessionAggregate, stream, learner, { type: 'StartSession' }, new Date(startsAt));
    }
    if (stage === 'ended') {
      await this.issue(
        sessionAggregate,
        stream,
        learner,
        { type: 'EndSession' },
        new Date(startsAt + 1_800_000),
      );
    }
    return sessionId;
  }

  async conversation(): Promise<string> {
    const started = await this.gqlOk<{ id: string }>(
      `mutation { startConversation(persona: fintech) { id } }`,
      {},
      this.learner.token,
      'startConversation',
    );
    return started.id;
  }

  // ---- chat: groups owned by the `user` actor with the `creator` (and so their key) as a member ----

  /** A group the `user` actor owns, with the creator and `others` as members. */
  async chatGroup(others: readonly string[] = []): Promise<string> {
    const created = await this.gqlOk<{ id: string }>(
      `mutation ($m: [ID!]!) { createGroupConversation(title: "Matrix group", memberIds: $m) { id } }`,
      { m: [this.people.creator.id, ...others] },
      this.people.user.token,
      'createGroupConversation',
    );
    return created.id;
  }

  /** A message in the shared group by the `user` actor or the creator. */
  async chatMessage(sender: 'user' | 'creator'): Promise<{ conversationId: string; messageId: string }> {
    const conversationId = await this.shared('chat-group', () => this.chatGroup());
    const sent = await this.gqlOk<{ id: string }>(
      `mutation ($c: ID!) { sendChatMessage(conversationId: $c, text: "Matrix message") { id } }`,
      { c: conversationId },
      this.people[sender].token,
      'sendChatMessage',
    );
    return { conversationId, messageId: sent.id };
  }

  /** A command through the real pipeline, then the read models caught up with it. */
  private async issue<Command, Event extends DomainEvent, State>(
    spec: AggregateSpec<Command, Event, State>,
    stream: string,
    actor: Actor,
    command: Command,
    now = new Date(),
  ) {
    const { store, codec, pool, bus } = this.api.runtime;
    const result = await handleCommand({ store, codec }, spec, stream, {
      commandId: randomUUID(),
      actor,
      now,
      command,
    });
    if (result.position !== null) await waitForPosition(pool, bus, result.position, { timeoutMs: 10_000 });
  }
}

export const MENTOR_PROFILE = {
  subjects: [{ subject: 'typescript', level: 'expert' }],
  styles: ['socratic'],
  languages: ['en'],
  availability: SLOT,
  timeZone: 'Europe/Berlin',
  capacity: 50,
  accepting: true,
};

export const LEARNER_PROFILE = {
  goals: ['Ship a typed library'],
  subjects: ['typescript'],
  preferredStyle: 'socratic',
  languages: ['en'],
  availability: SLOT,
  timeZone: 'Europe/London',
};

/** A registered, signed-in user holding `role` (set by the system, as an operator would). */
async function person(api: IdentityApp, role: PlatformRole): Promise<Person> {
  const { id, email } = await registerUser(api, freshEmail(), `Matrix ${role}`);
  if (role !== 'user') {
    const result = await setRole(
      identityDeps(api),
      { actor: { kind: 'system', process: 'authz-matrix' }, correlationId: randomUUID() },
      { userId: id, role },
    );
    if (result.position !== null) {
      await waitForPosition(api.runtime.pool, api.runtime.bus, result.position, { timeoutMs: 10_000 });
    }
  }
  const { accessToken } = await signIn(api, email);
  return { id, email, token: accessToken };
}

async function createBrand(api: IdentityApp, adminToken: string): Promise<string> {
  const brand = fieldOf<{ id: string }>(
    await api.gql(
      `mutation ($input: CreateBrandInput!) { createBrand(input: $input) { id } }`,
      { input: BRAND_INPUT(`Brand ${randomUUID().slice(0, 8)}`) },
      adminToken,
    ),
    'createBrand',
  );
  return brand.id;
}

export const BRAND_INPUT = (name: string) => ({
  name,
  description: 'Oat drinks for everyone',
  identity: { toneOfVoice: 'Warm and plain-spoken', guardrails: ['no medical claims'], colours: ['#00aa55'] },
  country: 'GB',
  language: 'en-GB',
  allowedContentTypes: ['article'],
  workflow: [{ name: 'Brand review', role: 'approver' }],
  channels: [],
});
