import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAggregate } from '../../../src/commands/load-aggregate.ts';
import { userStream } from '../../../src/domain/identity/streams.ts';
import { createLogger } from '../../../src/logger.ts';
import { rebuildProjection } from '../../../src/projections/rebuild.ts';
import { users } from '../../../src/services/identity/aggregates.ts';
import { errorCodes, fieldOf, type IdentityApp, startIdentityApp } from '../support/identity-app.ts';
import { LOGIN, makeAdmin, PASSWORD, REGISTER, registerAndSignIn } from '../support/identity-operations.ts';

const FORGET = `mutation ($id: ID) { forgetUser(userId: $id) { userId erasedFields erasedAt keyId keyDestroyedAt position } }`;

describe('erasure of personal data (forgetUser)', () => {
  let api: IdentityApp;
  let pool: pg.Pool;
  beforeAll(async () => {
    api = await startIdentityApp();
    pool = new pg.Pool({ connectionString: api.databaseUrl, max: 2 });
  });
  afterAll(async () => {
    await pool?.end();
    await api?.close();
  });

  /** Every place the plain text could hide: events, read models (all generations), reservations. */
  async function occurrences(text: string): Promise<string[]> {
    const { rows } = await pool.query<{ table_schema: string; table_name: string }>(
      `select table_schema, table_name from information_schema.tables
        where table_schema not in ('pg_catalog', 'information_schema') and table_type = 'BASE TABLE'`,
    );
    const found: string[] = [];
    for (const { table_schema, table_name } of rows) {
      const table = `${pg.escapeIdentifier(table_schema)}.${pg.escapeIdentifier(table_name)}`;
      const hit = await pool.query(`select 1 from ${table} t where t::text ilike $1 limit 1`, [`%${text}%`]);
      if (hit.rowCount) found.push(table_name);
    }
    return found;
  }

  it('never stores personal fields in plain text in the event store', async () => {
    const user = await registerAndSignIn(api, 'Plaintext Probe');
    const events = await api.runtime.store.readStream(userStream(user.id));
    expect(JSON.stringify(events.map((e) => e.data))).not.toContain(user.email);
    expect(JSON.stringify(events.map((e) => e.data))).not.toContain('Plaintext Probe');
    // Only the users read model holds them, decrypted, while the person is known.
    expect(await occurrences(user.email)).toEqual([expect.stringMatching(/^rm_users__users__g\d+$/)]);
  });

  it('erases the person everywhere, returns a receipt, and keeps the history verifiable', async () => {
    const user = await registerAndSignIn(api, 'Forget Me');
    await api.gql('mutation { updateProfile(input: { bio: "Born in 1815" }) { bio } }', {}, user.accessToken);
    const before = await api.runtime.store.readStream(userStream(user.id));

    const response = await api.gql(FORGET, {}, user.accessToken);
    expect(response.errors).toBeUndefined();
    const receipt = response.data?.forgetUser as Record<string, unknown>;
    expect(receipt).toMatchObject({
      userId: user.id,
      erasedFields: ['email', 'displayName', 'bio', 'totpSecret'],
      keyId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      keyDestroyedAt: expect.any(String),
      position: expect.stringMatching(/^\d+$/),
    });

    // Live read models dropped the fields at once; the session is over.
    for (const text of [user.email, 'Forget Me', 'Born in 1815']) expect(await occurrences(text)).toEqual([]);
    expect(errorCodes(await api.gql('{ me { id } }', {}, user.accessToken))).toEqual([
      'UNAUTHENTICATED/SESSION_REVOKED',
    ]);

    // A rebuild replays the whole history and still cannot show them: the key is gone.
    const log = createLogger('silent');
    const { store, bus, projections } = api.runtime;
    const usersProjection = projections.find((p) => p.name === 'users');
    if (!usersProjection) throw new Error('no users projection');
    await rebuildProjection({ store, pool, bus, log }, usersProjection, {});
    for (const text of [user.email, 'Forget Me', 'Born in 1815']) expect(await occurrences(text)).toEqual([]);
    const row = await pool.query('select email, display_name, bio, status from users where user_id = $1', [
      user.id,
    ]);
    expect(row.rows).toEqual([{ email: null, display_name: null, bio: null, status: 'forgotten' }]);

    // A replay of the aggregate shows the fields as erased.
    const replay = await loadAggregate(api.runtime, users, userStream(user.id));
    expect(replay.state).toMatchObject({ status: 'forgotten', email: null, displayName: null, bio: null });
    const registered = replay.events.find((e) => e.event.type === 'UserRegistered');
    expect(registered?.event.data).toMatchObject({ email: null, displayName: null });

    // History was appended to, never rewritten, and its hash chain still verifies.
    const after = await api.runtime.store.readStream(userStream(user.id));
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after.at(-1)?.type).toBe('UserForgotten');
    expect(await api.runtime.store.verifyStream(userStream(user.id))).toMatchObject({ ok: true });
  });

  it('frees the address for a new account, and forgetting again returns the same receipt', async () => {
    const user = await registerAndSignIn(api);
    const first = await api.gql(FORGET, { id: user.id }, user.accessToken);
    const admin = await makeAdmin(api);
    const again = await api.gql(FORGET, { id: user.id }, admin.accessToken);
    expect(again.errors).toBeUndefined();
    const {
      keyDestroyedAt: _a,
      position: _p,
      ...firstReceipt
    } = fieldOf<Record<string, unknown>>(first, 'forgetUser');
    expect(again.data?.forgetUser).toMatchObject(firstReceipt);
    expect(errorCodes(await api.gql(LOGIN, { input: { email: user.email, password: PASSWORD } }))).toEqual([
      'UNAUTHENTICATED/INVALID_CREDENTIALS',
    ]);
    const reregister = await api.gql(REGISTER, {
      input: { email: user.email, password: PASSWORD, displayName: 'New' },
    });
    expect(reregister.errors).toBeUndefined();
  });

  it('lets only the person or an admin ask', async () => {
    const user = await registerAndSignIn(api);
    const stranger = await registerAndSignIn(api);
    expect(errorCodes(await api.gql(FORGET, { id: user.id }, stranger.accessToken))).toEqual([
      'FORBIDDEN/NOT_OWNER',
    ]);
    expect(errorCodes(await api.gql(FORGET, { id: 'not-a-uuid' }, user.accessToken))).toEqual([
      'VALIDATION/INVALID_INPUT',
    ]);
  });
});
