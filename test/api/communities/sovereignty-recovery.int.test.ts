import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readStreamOrEmpty } from '../../../src/commands/load-aggregate.ts';
import { communityEventCatalogue } from '../../../src/domain/communities/community-events.ts';
import { communityPostEventCatalogue } from '../../../src/domain/communities/post-events.ts';
import { communityPostStream, communityStream } from '../../../src/domain/communities/streams.ts';
import type { EventCatalogue } from '../../../src/domain/shared/event-catalogue.ts';
import { recordCommunityErasure } from '../../../src/services/communities/communities.ts';
import { errorCodes, fieldOf, type IdentityApp, startIdentityApp } from '../support/identity-app.ts';
import { makeAdmin, registerAndSignIn, type TestUser } from '../support/identity-operations.ts';
import { addMember, communityServiceDeps, createCommunity } from './community-support.ts';
import { ERASE_COMMUNITY } from './sovereignty-support.ts';

/**
 * An erasure that crashed between recording CommunityErased and destroying the keys: every read
 * model has dropped the community, but its words still decrypt in the history until someone
 * finishes it. The owner or a platform admin runs the erasure again: nothing is appended, the keys
 * go, and the texts decode as null.
 */

const START = `mutation ($c: ID!, $t: String!, $b: String!) {
  startCommunityThread(communityId: $c, title: $t, body: $b) { id } }`;

interface Receipt {
  communityId: string;
  erasedBy: string;
  reason: string;
  position: string;
  people: number;
  keysDestroyedNow: number;
  alreadyErased: boolean;
}

let api: IdentityApp;
beforeAll(async () => {
  api = await startIdentityApp();
});
afterAll(async () => {
  await api?.close();
});

/** The first event of `type` in a stream, decoded with the keys as they are now. */
async function decoded<E extends { type: string; data: unknown }>(
  stream: string,
  type: string,
  catalogue: EventCatalogue<E>,
): Promise<Record<string, unknown>> {
  const recorded = (await readStreamOrEmpty(api.runtime.store, stream)).find((e) => e.type === type);
  if (!recorded) throw new Error(`${stream} has no ${type}`);
  return (await api.runtime.codec.decode(catalogue, recorded))?.event.data as Record<string, unknown>;
}

const eventCount = async (stream: string) => (await readStreamOrEmpty(api.runtime.store, stream)).length;

describe('an erasure interrupted before its keys were destroyed', () => {
  it('is finished by a platform admin (or the owner) asking again: no second event, the keys go', async () => {
    const [owner, member, admin, stranger] = await Promise.all([
      registerAndSignIn(api, 'Olu Owner'),
      registerAndSignIn(api, 'Mo Member'),
      makeAdmin(api),
      registerAndSignIn(api, 'Sam Stranger'),
    ]);
    const communityId = (await createCommunity(api, owner, { description: 'Our garden club' })).id;
    await addMember(api, owner, communityId, member);
    const threadId = fieldOf<{ id: string }>(
      await api.gql(START, { c: communityId, t: 'Seeds', b: 'Swap on Sunday' }, member.accessToken),
      'startCommunityThread',
    ).id;

    // The crash: CommunityErased recorded through the pipeline, the process gone before the keys.
    const context = (user: TestUser) => ({
      actor: { kind: 'user' as const, userId: user.id, role: 'user' as const },
      correlationId: randomUUID(),
    });
    await recordCommunityErasure(communityServiceDeps(api), context(owner), {
      communityId,
      reason: 'Closing down',
    });
    const recorded = await eventCount(communityStream(communityId));
    expect(
      await decoded(communityPostStream(threadId), 'CommunityThreadStarted', communityPostEventCatalogue),
    ).toMatchObject({ title: 'Seeds', body: 'Swap on Sunday' });
    expect(
      await decoded(communityStream(communityId), 'CommunityCreated', communityEventCatalogue),
    ).toMatchObject({ description: 'Our garden club' });

    // Someone else of the community, or a stranger, finds nothing there.
    for (const who of [member, stranger]) {
      expect(
        errorCodes(await api.gql(ERASE_COMMUNITY, { c: communityId, r: 'again' }, who.accessToken)),
      ).toEqual(['NOT_FOUND/COMMUNITY_NOT_FOUND']);
    }

    // The recovery: a platform admin runs the erasure again.
    const finished = fieldOf<Receipt>(
      await api.gql(ERASE_COMMUNITY, { c: communityId, r: 'finishing' }, admin.accessToken),
      'eraseCommunity',
    );
    expect(finished).toMatchObject({
      communityId,
      erasedBy: owner.id,
      reason: 'Closing down',
      alreadyErased: true,
      people: 2,
    });
    // The community's own key (description) and the member's (their thread) at least.
    expect(finished.keysDestroyedNow).toBeGreaterThanOrEqual(2);
    expect(await eventCount(communityStream(communityId))).toBe(recorded);
    expect(
      await decoded(communityPostStream(threadId), 'CommunityThreadStarted', communityPostEventCatalogue),
    ).toMatchObject({ title: null, body: null });
    expect(
      await decoded(communityStream(communityId), 'CommunityCreated', communityEventCatalogue),
    ).toMatchObject({ description: null });
    // The reason stays readable: an auditor learns why the community was erased.
    expect(
      await decoded(communityStream(communityId), 'CommunityErased', communityEventCatalogue),
    ).toMatchObject({ reason: 'Closing down', erasedBy: owner.id });

    // Idempotent: the owner asking again finds nothing left to destroy, and appends nothing.
    const again = fieldOf<Receipt>(
      await api.gql(ERASE_COMMUNITY, { c: communityId, r: 'again' }, owner.accessToken),
      'eraseCommunity',
    );
    expect(again).toMatchObject({ alreadyErased: true, keysDestroyedNow: 0, position: finished.position });
    expect(await eventCount(communityStream(communityId))).toBe(recorded);
  });

  it('a platform admin still may not erase a community that is not erased', async () => {
    const [owner, admin] = await Promise.all([registerAndSignIn(api, 'Ola Owner'), makeAdmin(api)]);
    const communityId = (await createCommunity(api, owner)).id;
    expect(
      errorCodes(await api.gql(ERASE_COMMUNITY, { c: communityId, r: 'no' }, admin.accessToken)),
    ).toEqual(['FORBIDDEN/NOT_A_MEMBER']);
    expect(await eventCount(communityStream(communityId))).toBe(1);
  });
});
