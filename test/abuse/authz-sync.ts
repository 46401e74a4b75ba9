import { createECDH, randomBytes, randomUUID } from 'node:crypto';
import { freshEmail, registerUser, signIn } from '../api/support/identity-operations.ts';
import type { AuthzFixture, MatrixActor, RoleName } from './authz-fixture.ts';
import type { Call, Cell, MatrixRow } from './authz-matrix.ts';

/**
 * Offline sync's rows of the authorisation matrix (issue 23). A sync is a person's own device
 * talking for them: signed-in people only (an API key is a program, it has no device: FORBIDDEN
 * PEOPLE_ONLY), each with a device registered to themself; another person's device reads as none
 * (NOT_FOUND DEVICE_NOT_FOUND), so device ids cannot be probed. A queued conflict is its owner's
 * alone: anyone else, a write key of someone else's included, is told there is no such conflict.
 * Every cell pushes a change of the caller's own profile, so a refused cell that stored anything
 * would show in the matrix's event count.
 */

const HUMANS: readonly RoleName[] = [
  'user',
  'creator',
  'brandEditor',
  'approver',
  'moderator',
  'admin',
  'auditor',
];

const vars = (variables: Record<string, unknown>): Call => ({ variables });

function propFor<T>(fx: AuthzFixture, cell: Cell, name: string, make: () => Promise<T>): Promise<T> {
  return cell.expected === 'allow' ? make() : fx.shared(name, make);
}

const SYNC = `mutation ($input: SyncInput!) { sync(input: $input) { outcomes { changeId status conflictId error { code } } cursor } }`;
const REGISTER_DEVICE = `mutation ($input: RegisterDeviceInput!) { registerDevice(input: $input) { id } }`;
const CREATE = `mutation ($input: CreateCommunityInput!) { createCommunity(input: $input) { id } }`;
const THREAD = `mutation ($c: ID!, $t: String!, $b: String!) { startCommunityThread(communityId: $c, title: $t, body: $b) { id } }`;

/** A device of whoever `token` signs in, as a browser registers it for web push. */
async function device(fx: AuthzFixture, token: string): Promise<string> {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  const pushSubscription = {
    endpoint: `https://fcm.googleapis.com/fcm/send/${randomUUID()}`,
    keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: randomBytes(16).toString('base64url') },
  };
  const registered = await fx.gqlOk<{ id: string }>(
    REGISTER_DEVICE,
    { input: { platform: 'WEB', appVersion: '1.0.0', pushSubscription } },
    token,
    'registerDevice',
  );
  return registered.id;
}

/**
 * The signed-in actor a cell's requests act for: the person themself, or an API key's owner (a
 * key is then refused for being a key, not for the device). Anonymous borrows the `user`'s.
 */
function personOf(fx: AuthzFixture, actor: MatrixActor): MatrixActor {
  const owner = Object.values(fx.actors).find(
    (candidate) => candidate.email !== null && candidate.personId === (actor.personId ?? fx.people.user.id),
  );
  if (!owner?.token) throw new Error(`no signed-in person behind ${actor.role}`);
  return owner;
}

/** A change of the person's own profile, made after anything the server holds (no conflict). */
const ownProfileChange = (personId: string) => ({
  changeId: `matrix-${randomUUID()}`,
  type: 'profile.update',
  entityId: personId,
  baseVersion: 1_000_000,
  clientTime: new Date().toISOString(),
  payload: { bio: 'Synced by the authorisation matrix' },
});

/** A sync of the caller's own device (their key's owner's, for a key) pushing one change. */
async function ownSync(fx: AuthzFixture, cell: Cell): Promise<Call> {
  const person = personOf(fx, cell.actor);
  const token = person.token as string;
  const deviceId = await propFor(fx, cell, `sync-device:${person.role}`, () => device(fx, token));
  return vars({ input: { deviceId, changes: [ownProfileChange(person.personId as string)] } });
}

/** Someone none of the actors is, signed in, with a device of their own. */
async function strangersDevice(fx: AuthzFixture): Promise<string> {
  const { email } = await registerUser(fx.api, freshEmail(), 'Matrix sync stranger');
  return device(fx, (await signIn(fx.api, email)).accessToken);
}

/**
 * A conflict in the `user` actor's queue: their own post, edited on a device that had never seen
 * it (baseVersion -1), so the edit meets the post's first version and waits for them to settle it.
 */
async function queuedConflict(fx: AuthzFixture): Promise<string> {
  const token = fx.people.user.token;
  const communityId = await fx.shared('sync-community', async () => {
    const created = await fx.gqlOk<{ id: string }>(
      CREATE,
      {
        input: {
          name: `Matrix sync ${randomUUID().slice(0, 8)}`,
          language: 'en',
          region: 'EU',
          visibility: 'PUBLIC',
        },
      },
      token,
      'createCommunity',
    );
    return created.id;
  });
  const post = await fx.gqlOk<{ id: string }>(
    THREAD,
    { c: communityId, t: 'Matrix post', b: 'As first written' },
    token,
    'startCommunityThread',
  );
  const deviceId = await fx.shared('sync-device:conflicts', () => device(fx, token));
  const synced = await fx.gqlOk<{ outcomes: { status: string; conflictId: string | null }[] }>(
    SYNC,
    {
      input: {
        deviceId,
        changes: [
          {
            changeId: `matrix-${randomUUID()}`,
            type: 'post.edit',
            entityId: post.id,
            baseVersion: -1,
            clientTime: new Date().toISOString(),
            payload: { body: 'As edited offline' },
          },
        ],
      },
    },
    token,
    'sync',
  );
  const conflictId = synced.outcomes[0]?.conflictId;
  if (synced.outcomes[0]?.status !== 'QUEUED' || !conflictId) {
    throw new Error(`the offline edit was not queued: ${JSON.stringify(synced.outcomes)}`);
  }
  return conflictId;
}

export const SYNC_ROWS: readonly MatrixRow[] = [
  {
    mutation: 'sync',
    rule: 'a signed-in person, with a device of their own (an API key has no device)',
    allowed: HUMANS,
    document: SYNC,
    call: ownSync,
  },
  {
    mutation: 'sync',
    variant: "someone else's device",
    rule: 'nobody, not even a platform admin (the device reads as none)',
    allowed: [],
    concealedAs: ['NOT_FOUND/DEVICE_NOT_FOUND'],
    document: SYNC,
    call: async (fx, cell) => {
      const person = personOf(fx, cell.actor);
      const deviceId = await fx.shared('sync-device:stranger', () => strangersDevice(fx));
      return vars({ input: { deviceId, changes: [ownProfileChange(person.personId as string)] } });
    },
  },
  {
    // KEEP_SERVER only records the decision: the allowed cell settles a conflict of its own.
    mutation: 'resolveSyncConflict',
    rule: "the conflict's owner (anyone else is told there is no such conflict)",
    allowed: ['user'],
    concealedAs: ['NOT_FOUND/SYNC_CONFLICT_NOT_FOUND'],
    document: `mutation ($input: ResolveSyncConflictInput!) { resolveSyncConflict(input: $input) { id status } }`,
    call: async (fx, cell) =>
      vars({
        input: {
          conflictId: await propFor(fx, cell, 'sync-conflict', () => queuedConflict(fx)),
          resolution: 'KEEP_SERVER',
        },
      }),
  },
];
