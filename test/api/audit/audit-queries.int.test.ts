import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toJsonSafe } from '../../../src/audit/json-safe.ts';
import { loadAggregate } from '../../../src/commands/load-aggregate.ts';
import { contentAggregate } from '../../../src/domain/content/content-decider.ts';
import { contentStream } from '../../../src/domain/content/streams.ts';
import { userStream } from '../../../src/domain/identity/streams.ts';
import { runCli } from '../../support/cli.ts';
import {
  APPROVE,
  approveThroughWorkflow,
  type BrandTeam,
  brandTeam,
  type ContentView,
  createArticle,
  SUBMIT,
} from '../content/support.ts';
import { createApiKey } from '../subscriptions/support/operations.ts';
import {
  errorCodes,
  fieldOf,
  type IdentityApp,
  startIdentityApp,
  TEST_AUTH_SECRET,
} from '../support/identity-app.ts';
import { makeAdmin, registerAndSignIn, type TestUser } from '../support/identity-operations.ts';
import {
  ACTOR_ACTIVITY,
  AGGREGATE_AT,
  type AggregateStateView,
  type AuditConnection,
  allPages,
  auditIndexCaughtUp,
  HISTORY,
  makeAuditor,
  nodesOf,
  SET_ROLE,
  TRACE,
} from './support.ts';

describe('audit queries over a history made by real commands', () => {
  let api: IdentityApp;
  let admin: TestUser;
  let auditor: TestUser;
  let team: BrandTeam;
  let article: ContentView;
  const started = new Date(Date.now() - 1_000).toISOString();

  beforeAll(async () => {
    api = await startIdentityApp();
    admin = await makeAdmin(api);
    auditor = await makeAuditor(api, admin);
    team = await brandTeam(api);
    article = await createArticle(api, team);
    await approveThroughWorkflow(api, team, article.id);
  });
  afterAll(async () => {
    await api?.close();
  });

  const history = async (stream: string, token = auditor.accessToken, first?: number) =>
    fieldOf<AuditConnection>(await api.gql(HISTORY, { stream, first }, token), 'history');

  it('history: a stream`s events in order, with actor, command, correlation, causation, time, version and hash', async () => {
    const subject = await registerAndSignIn(api, 'Hedy Subject');
    fieldOf(
      await api.gql('mutation { updateProfile(input: { bio: "Inventor" }) { id } }', {}, subject.accessToken),
      'updateProfile',
    );
    const stream = userStream(subject.id);
    const stored = await api.runtime.store.readStream(stream);

    const { nodes, pages } = await allPages(
      api,
      HISTORY,
      'history',
      { stream, first: 2 },
      auditor.accessToken,
    );
    expect(pages).toBe(Math.ceil(stored.length / 2));
    expect(nodes.map((n) => [n.revision, n.id, n.type, n.hash, n.position])).toEqual(
      stored.map((e) => [e.revision.toString(), e.id, e.type, e.hash, e.position.toString()]),
    );
    expect(nodes.map((n) => n.type)).toEqual([
      'UserRegistered',
      // Registration asks for the verification e-mail in the same write (account recovery).
      'EmailVerificationRequested',
      'LoginSucceeded',
      'UserProfileChanged',
    ]);
    const [registered, , , changed] = nodes;
    expect(registered).toMatchObject({
      streamName: stream,
      schemaVersion: 1,
      commandId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      correlationId: expect.any(String),
      causationId: expect.any(String),
      // Registration is asked for by nobody yet signed in.
      actor: 'anonymous',
      data: { userId: subject.id, email: subject.email, displayName: 'Hedy Subject', role: 'user' },
      decodeError: null,
    });
    expect(changed).toMatchObject({ actor: `user:${subject.id}`, data: { bio: 'Inventor' } });
    expect(Date.parse(changed?.occurredAt ?? '')).toBeGreaterThanOrEqual(Date.parse(started));

    const firstPage = await history(stream, auditor.accessToken, 2);
    expect(firstPage).toMatchObject({
      totalCount: 4,
      pageInfo: { hasNextPage: true, hasPreviousPage: false },
    });
  });

  it('shows that credentials were set, never their values (password and refresh-token hashes)', async () => {
    const subject = await registerAndSignIn(api, 'Carl Credential');
    const events = nodesOf(await history(userStream(subject.id)));
    expect(events.find((e) => e.type === 'UserRegistered')?.data).toMatchObject({
      email: subject.email,
      passwordHash: '[credential]',
    });
    const user = fieldOf<AggregateStateView>(
      await api.gql(
        AGGREGATE_AT,
        { category: 'user', id: subject.id, at: new Date().toISOString() },
        auditor.accessToken,
      ),
      'aggregateAt',
    );
    expect(user.state).toMatchObject({ email: subject.email, passwordHash: '[credential]' });

    const sessionId = events.find((e) => e.type === 'LoginSucceeded')?.data?.sessionId;
    expect(sessionId).toEqual(expect.any(String));
    const session = nodesOf(await history(`session-${String(sessionId)}`));
    expect(session[0]?.data).toMatchObject({ userId: subject.id, refreshTokenHash: '[credential]' });
    // No data or state that looks like a SHA-256 digest reaches the auditor (chain links aside).
    const answers = [...events, ...session].map((e) => e.data);
    expect(JSON.stringify([answers, user.state])).not.toMatch(/"[0-9a-f]{64}"/);
  });

  it('aggregateAt: the content folded with its own evolve at a revision and at an instant', async () => {
    const stream = contentStream(article.id);
    const stored = await api.runtime.store.readStream(stream);
    const at = async (variables: Record<string, unknown>) =>
      fieldOf<AggregateStateView>(
        await api.gql(
          AGGREGATE_AT,
          { category: 'content', id: article.id, ...variables },
          auditor.accessToken,
        ),
        'aggregateAt',
      );

    const created = await at({ revision: '0' });
    expect(created).toMatchObject({
      stream,
      revision: '0',
      hash: stored[0]?.hash,
      state: { status: 'draft' },
    });
    const latest = await at({ revision: String(stored.length - 1) });
    const folded = await loadAggregate(api.runtime, contentAggregate, stream);
    expect(latest.state).toEqual(toJsonSafe(folded.state));
    expect(latest.state).toMatchObject({ status: 'approved', contentId: article.id });

    // By time: everything that occurred at or before the first event's time is just that event.
    const firstOccurred = String(stored[0]?.metadata.occurredAt);
    expect(await at({ at: firstOccurred })).toMatchObject({ revision: '0', state: created.state });
    expect(await at({ at: new Date(Date.now() + 60_000).toISOString() })).toMatchObject({
      revision: String(stored.length - 1),
      state: latest.state,
    });
    const before = await at({ at: new Date(Date.parse(firstOccurred) - 1).toISOString() });
    expect(before).toMatchObject({ revision: null, hash: null, state: { status: 'none' } });
  });

  it('aggregateAt folds every kind of aggregate the history holds', async () => {
    const brand = fieldOf<AggregateStateView>(
      await api.gql(
        AGGREGATE_AT,
        { category: 'brand', id: team.brandId, revision: '0' },
        auditor.accessToken,
      ),
      'aggregateAt',
    );
    expect(brand.state).toMatchObject({ status: 'active' });
    const user = fieldOf<AggregateStateView>(
      await api.gql(
        AGGREGATE_AT,
        { category: 'user', id: team.editor.id, at: new Date().toISOString() },
        auditor.accessToken,
      ),
      'aggregateAt',
    );
    expect(user.state).toMatchObject({ userId: team.editor.id, email: team.editor.email, status: 'active' });
    const registration = nodesOf(await history(userStream(team.editor.id)))[0];
    const reservation = await traceStreams(registration?.correlationId ?? '');
    const reservationStream = reservation.find((name) => name.startsWith('reservation-')) ?? '';
    const reservationState = fieldOf<AggregateStateView>(
      await api.gql(
        AGGREGATE_AT,
        { category: 'reservation', id: reservationStream.slice('reservation-'.length), revision: '0' },
        auditor.accessToken,
      ),
      'aggregateAt',
    );
    expect(reservationState.state).toEqual({ scope: 'email', owner: team.editor.id });
  });

  async function traceStreams(correlationId: string) {
    await auditIndexCaughtUp(api);
    const trace = fieldOf<AuditConnection>(
      await api.gql(TRACE, { correlationId }, auditor.accessToken),
      'trace',
    );
    return nodesOf(trace).map((node) => node.streamName);
  }

  it('trace: everything one request caused across streams, in position order', async () => {
    // Registration claims the e-mail address in a reservation stream, then records the user.
    const newcomer = await registerAndSignIn(api, 'Trace Newcomer');
    const [registered] = nodesOf(await history(userStream(newcomer.id)));
    const correlationId = registered?.correlationId ?? '';
    await auditIndexCaughtUp(api);
    const { nodes, pages } = await allPages(
      api,
      TRACE,
      'trace',
      { correlationId, first: 1 },
      auditor.accessToken,
    );
    expect(pages).toBe(nodes.length);
    expect(nodes.map((n) => [n.streamName.split('-')[0], n.type])).toEqual([
      ['reservation', 'UniqueValueClaimed'],
      ['user', 'UserRegistered'],
      ['user', 'EmailVerificationRequested'],
    ]);
    expect(nodes.every((n) => n.correlationId === correlationId)).toBe(true);
    const positions = nodes.map((n) => BigInt(n.position));
    expect([...positions].sort((a, b) => (a < b ? -1 : 1))).toEqual(positions);
    // The reservation names the owner, never the address.
    expect(nodes[0]?.data).toEqual({ scope: 'email', ownerId: newcomer.id });
  });

  it('trace shows an event deleted behind the store`s back as missing, never drops it', async () => {
    const victim = await registerAndSignIn(api, 'Trace Victim');
    const [registered] = nodesOf(await history(userStream(victim.id)));
    const correlationId = registered?.correlationId ?? '';
    await auditIndexCaughtUp(api);
    await api.runtime.pool.query('delete from es_events where stream_name = $1 and revision = 0', [
      userStream(victim.id),
    ]);
    const trace = fieldOf<AuditConnection>(
      await api.gql(TRACE, { correlationId }, auditor.accessToken),
      'trace',
    );
    expect(trace.totalCount).toBe(3);
    const missing = nodesOf(trace).find((node) => node.streamName === userStream(victim.id));
    expect(missing).toMatchObject({ type: 'UserRegistered', data: null, hash: '' });
    expect(missing?.decodeError).toMatch(/^MISSING_FROM_EVENT_STORE/);
  });

  it('actorActivity: what one actor did in a period, oldest first, paginated', async () => {
    await auditIndexCaughtUp(api);
    const actor = `user:${team.editor.id}`;
    const to = new Date(Date.now() + 60_000).toISOString();
    const { nodes } = await allPages(
      api,
      ACTOR_ACTIVITY,
      'actorActivity',
      { actor, from: started, to, first: 2 },
      auditor.accessToken,
    );
    expect(nodes.length).toBeGreaterThanOrEqual(2);
    expect(nodes.every((n) => n.actor === actor)).toBe(true);
    expect(nodes.map((n) => n.type)).toContain('ContentCreated');
    expect(nodes.find((n) => n.type === 'ContentCreated')?.streamName).toBe(contentStream(article.id));
    const times = nodes.map((n) => Date.parse(n.occurredAt));
    expect([...times].sort((a, b) => a - b)).toEqual(times);

    const empty = fieldOf<AuditConnection>(
      await api.gql(
        ACTOR_ACTIVITY,
        { actor, from: '2000-01-01T00:00:00Z', to: started },
        auditor.accessToken,
      ),
      'actorActivity',
    );
    expect(empty).toMatchObject({ edges: [], totalCount: 0, pageInfo: { hasNextPage: false } });
  });

  it('trace of an approval request shows the approver`s decision on the content', async () => {
    const draft = await createArticle(api, team, 'Second article');
    fieldOf(await api.gql(SUBMIT, { id: draft.id }, team.editor.accessToken), 'submitContent');
    fieldOf(await api.gql(APPROVE, { id: draft.id }, team.approver.accessToken), 'approveContent');
    const last = nodesOf(await history(contentStream(draft.id))).at(-1);
    expect(last?.actor).toBe(`user:${team.approver.id}`);
    await auditIndexCaughtUp(api);
    const trace = nodesOf(
      fieldOf<AuditConnection>(
        await api.gql(TRACE, { correlationId: last?.correlationId }, auditor.accessToken),
        'trace',
      ),
    );
    expect(trace.length).toBeGreaterThanOrEqual(1);
    expect(
      trace.every((n) => n.streamName === contentStream(draft.id) && n.actor === `user:${team.approver.id}`),
    ).toBe(true);
    expect(trace.at(-1)?.id).toBe(last?.id);
  });

  it('records every audit query in the auditor`s own log before answering (the watchers are watched)', async () => {
    const watcher = await makeAuditor(api, admin);
    const stream = userStream(team.viewer.id);
    await history(stream, watcher.accessToken, 3);
    await api.gql(AGGREGATE_AT, { category: 'brand', id: team.brandId, revision: '0' }, watcher.accessToken);
    await api.gql(TRACE, { correlationId: 'no-such-request', first: 5 }, watcher.accessToken);
    await api.gql(ACTOR_ACTIVITY, { actor: `user:${team.viewer.id}`, to: started }, watcher.accessToken);
    const missing = '00000000-0000-4000-8000-000000000000';
    expect(
      errorCodes(
        await api.gql(AGGREGATE_AT, { category: 'brand', id: missing, revision: '0' }, watcher.accessToken),
      ),
    ).toEqual(['NOT_FOUND/STREAM_NOT_FOUND']);

    const log = nodesOf(await history(`auditlog-${watcher.id}`, watcher.accessToken));
    expect(log.map((n) => [n.type, n.actor])).toEqual(
      Array(5).fill(['AuditQueryRecorded', `user:${watcher.id}`]),
    );
    expect(log.map((n) => n.data)).toEqual([
      {
        auditorId: `user:${watcher.id}`,
        query: 'history',
        arguments: { stream, after: null, first: 3 },
        resultCount: expect.any(Number),
      },
      {
        auditorId: `user:${watcher.id}`,
        query: 'aggregateAt',
        arguments: { category: 'brand', id: team.brandId, revision: '0', at: null },
        resultCount: 1,
      },
      {
        auditorId: `user:${watcher.id}`,
        query: 'trace',
        arguments: { correlationId: 'no-such-request', after: null, first: 5 },
        resultCount: 0,
      },
      {
        auditorId: `user:${watcher.id}`,
        query: 'actorActivity',
        arguments: { actor: `user:${team.viewer.id}`, from: null, to: started, after: null, first: 20 },
        resultCount: 0,
      },
      {
        auditorId: `user:${watcher.id}`,
        query: 'aggregateAt',
        arguments: { category: 'brand', id: missing, revision: '0', at: null },
        resultCount: 0,
      },
    ]);
    expect((log[0]?.data?.resultCount as number) > 0).toBe(true);
    // Reading the log was itself recorded, after that answer.
    const again = nodesOf(await history(`auditlog-${watcher.id}`, watcher.accessToken));
    expect(again.map((n) => n.data?.query).slice(5)).toEqual(['history']);
  });

  it('answers nothing when the query cannot be recorded', async () => {
    const silenced = await makeAuditor(api, admin);
    await api.runtime.store.tombstoneStream(`auditlog-${silenced.id}`);
    const response = await api.gql(HISTORY, { stream: contentStream(article.id) }, silenced.accessToken);
    expect(response.data).toBeNull();
    expect(errorCodes(response)).toEqual(['INTERNAL']);
  });

  it('is for auditors and admins, and for API keys with AUDIT_READ whose owner is one', async () => {
    const stream = contentStream(article.id);
    const user = await registerAndSignIn(api);
    const creator = await makeAuditor(api, admin, 'creator');
    for (const who of [user, creator, team.editor]) {
      expect(errorCodes(await api.gql(HISTORY, { stream }, who.accessToken))).toEqual([
        'FORBIDDEN/AUDITOR_ONLY',
      ]);
    }
    expect(errorCodes(await api.gql(HISTORY, { stream }))).toEqual(['UNAUTHENTICATED/SIGN_IN_REQUIRED']);
    // Admins may audit too.
    expect(nodesOf(await history(stream, admin.accessToken)).length).toBeGreaterThan(0);

    // Keys: without the scope, refused; a plain user cannot mint the scope.
    const readOnly = await createApiKey(api, auditor.accessToken, ['GRAPHQL_READ', 'EVENTS_READ']);
    expect(errorCodes(await api.gql(HISTORY, { stream }, readOnly.key))).toEqual(['FORBIDDEN/MISSING_SCOPE']);
    const minted = await api.gql(
      'mutation { createApiKey(name: "sneaky", scopes: [AUDIT_READ]) { key } }',
      {},
      user.accessToken,
    );
    expect(errorCodes(minted)).toEqual(['FORBIDDEN/AUDIT_SCOPE_NEEDS_AUDITOR']);

    // An auditor's key works, and is recorded under its own id.
    const keyOwner = await makeAuditor(api, admin);
    const auditKey = await createApiKey(api, keyOwner.accessToken, ['AUDIT_READ']);
    expect(nodesOf(await history(stream, auditKey.key)).length).toBeGreaterThan(0);
    const keyLog = nodesOf(await history(`auditlog-${auditKey.apiKey.id}`));
    expect(keyLog.map((n) => [n.actor, n.data?.query])).toEqual([
      [`integration:${auditKey.apiKey.id}`, 'history'],
    ]);

    // Once its owner is no auditor any more, neither is the key.
    fieldOf(await api.gql(SET_ROLE, { id: keyOwner.id, role: 'user' }, admin.accessToken), 'setRole');
    expect(errorCodes(await api.gql(HISTORY, { stream }, auditKey.key))).toEqual([
      'FORBIDDEN/KEY_OWNER_NOT_AUDITOR',
    ]);
  });

  it('says clearly what is wrong with the arguments', async () => {
    const ask = async (query: string, variables: Record<string, unknown>) =>
      errorCodes(await api.gql(query, variables, auditor.accessToken));
    const stream = contentStream(article.id);
    const countOnly =
      'query ($stream: String!, $first: Int) { history(stream: $stream, first: $first) { totalCount } }';
    expect(await ask(countOnly, { stream, first: 101 })).toEqual(['VALIDATION/INVALID_INPUT']);
    expect(await ask(HISTORY, { stream: 'not a stream' })).toEqual(['VALIDATION/INVALID_INPUT']);
    expect(await ask(HISTORY, { stream, after: 'bogus' })).toEqual(['VALIDATION/INVALID_CURSOR']);
    expect(await ask(HISTORY, { stream: 'content-00000000-0000-4000-8000-000000000000' })).toEqual([
      'NOT_FOUND/STREAM_NOT_FOUND',
    ]);
    const both = { category: 'content', id: article.id, revision: '0', at: new Date().toISOString() };
    expect(await ask(AGGREGATE_AT, both)).toEqual(['VALIDATION/EXACTLY_ONE_POINT']);
    expect(await ask(AGGREGATE_AT, { category: 'content', id: article.id })).toEqual([
      'VALIDATION/EXACTLY_ONE_POINT',
    ]);
    expect(await ask(AGGREGATE_AT, { category: 'spaceship', id: article.id, revision: '0' })).toEqual([
      'VALIDATION/UNKNOWN_CATEGORY',
    ]);
    expect(await ask(AGGREGATE_AT, { category: 'content', id: article.id, revision: '999' })).toEqual([
      'NOT_FOUND/REVISION_NOT_FOUND',
    ]);
    // Past what a 64-bit revision or a timestamptz holds: refused at the edge, not an INTERNAL.
    for (const revision of ['9223372036854775808', '9999999999999999999']) {
      expect(await ask(AGGREGATE_AT, { category: 'content', id: article.id, revision })).toEqual([
        'VALIDATION/INVALID_INPUT',
      ]);
    }
    for (const at of ['0000-01-01T00:00:00Z', '0000-12-31T23:59:59+00:00']) {
      expect(await ask(AGGREGATE_AT, { category: 'content', id: article.id, at })).toEqual([
        'VALIDATION/INVALID_INPUT',
      ]);
      expect(await ask(ACTOR_ACTIVITY, { actor: `user:${team.editor.id}`, from: at })).toEqual([
        'VALIDATION/INVALID_INPUT',
      ]);
    }
    expect(await ask(ACTOR_ACTIVITY, { actor: 'ada@example.org' })).toEqual(['VALIDATION/INVALID_INPUT']);
    expect(
      await ask(ACTOR_ACTIVITY, { actor: `user:${team.editor.id}`, from: started, to: started }),
    ).toEqual(['VALIDATION/INVALID_RANGE']);
  });

  it('shows a forgotten person`s e-mail in no audit answer, and their chain still verifies', async () => {
    const person = await registerAndSignIn(api, 'Forgettable Person');
    fieldOf(
      await api.gql(
        'mutation { updateProfile(input: { bio: "Likes oat milk" }) { id } }',
        {},
        person.accessToken,
      ),
      'updateProfile',
    );
    const stream = userStream(person.id);
    const [registered] = nodesOf(await history(stream));
    const answers = async () => {
      await auditIndexCaughtUp(api);
      const now = new Date(Date.now() + 60_000).toISOString();
      return [
        await api.gql(HISTORY, { stream }, auditor.accessToken),
        await api.gql(AGGREGATE_AT, { category: 'user', id: person.id, revision: '0' }, auditor.accessToken),
        await api.gql(AGGREGATE_AT, { category: 'user', id: person.id, at: now }, auditor.accessToken),
        await api.gql(TRACE, { correlationId: registered?.correlationId }, auditor.accessToken),
        await api.gql(ACTOR_ACTIVITY, { actor: `user:${person.id}` }, auditor.accessToken),
      ].map((response) => {
        expect(response.errors).toBeUndefined();
        return JSON.stringify(response);
      });
    };
    // While the person is known, auditors see their data...
    const before = await answers();
    expect(before.filter((text) => text.includes(person.email)).length).toBe(4);
    expect(before[4]).toContain('Likes oat milk');

    fieldOf(await api.gql('mutation { forgetUser { userId } }', {}, person.accessToken), 'forgetUser');
    // ...and once forgotten, nowhere: not in history, states, traces or activity.
    for (const text of await answers()) {
      expect(text).not.toContain(person.email);
      expect(text).not.toContain('Forgettable Person');
      expect(text).not.toContain('Likes oat milk');
    }
    const after = fieldOf<AggregateStateView>(
      await api.gql(
        AGGREGATE_AT,
        { category: 'user', id: person.id, at: new Date().toISOString() },
        auditor.accessToken,
      ),
      'aggregateAt',
    );
    expect(after.state).toMatchObject({ status: 'forgotten', email: null, displayName: null, bio: null });
    expect(await api.runtime.store.verifyStream(stream)).toMatchObject({ ok: true });
  });

  it('makes auditors from the command line (`chronicle users set-role <email> auditor`)', async () => {
    const user = await registerAndSignIn(api);
    const env = { DATABASE_URL: api.databaseUrl, AUTH_SECRET: TEST_AUTH_SECRET, LOG_LEVEL: 'warn' };
    const result = await runCli(['users', 'set-role', user.email, 'auditor'], env);
    expect(result).toMatchObject({ code: 0, stdout: `${user.email} is now auditor\n` });
    expect(nodesOf(await history(contentStream(article.id), user.accessToken)).length).toBeGreaterThan(0);
  });
});
