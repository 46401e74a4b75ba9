import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readStreamOrEmpty } from '../../../src/commands/load-aggregate.ts';
import { attemptEventCatalogue } from '../../../src/domain/communities/attempt-events.ts';
import { communityEventCatalogue } from '../../../src/domain/communities/community-events.ts';
import { communityPostEventCatalogue } from '../../../src/domain/communities/post-events.ts';
import {
  checkpointAttemptsStream,
  communityMemberSubject,
  communityPostStream,
  communityStream,
} from '../../../src/domain/communities/streams.ts';
import type { EventCatalogue } from '../../../src/domain/shared/event-catalogue.ts';
import { isEncryptedField } from '../../../src/privacy/field-encryption.ts';
import { destroyCommunityTextOf } from '../../../src/services/communities/erasure.ts';
import { appendEvents } from '../social/graph-support.ts';
import { errorCodes, fieldOf, type IdentityApp, startIdentityApp } from '../support/identity-app.ts';
import { registerAndSignIn, type TestUser } from '../support/identity-operations.ts';
import { addMember, createCommunity } from './community-support.ts';
import {
  type AttemptView,
  GRADE,
  publishedPath,
  QUESTIONS,
  REFLECTION,
  RIGHT,
  SUBMIT,
} from './progress-support.ts';

/**
 * Whose key a community text is under: a moderator's removal reason and a grader's feedback are
 * their own words (forgetting them makes the words unreadable, nobody else's), and forgetting a
 * person reaches the communities they created even when their own join was never written.
 */

const START = `mutation ($c: ID!, $t: String!, $b: String!) {
  startCommunityThread(communityId: $c, title: $t, body: $b) { id } }`;
const REMOVE = `mutation ($p: ID!, $r: String!) { removeCommunityPost(postId: $p, reason: $r) {
  id status removal { reason removedBy } } }`;
const THREAD = `query ($id: ID!) { communityThread(id: $id) { id status removal { reason removedBy } } }`;
const FORGET = 'mutation { forgetUser { userId } }';

let api: IdentityApp;
let owner: TestUser;
beforeAll(async () => {
  api = await startIdentityApp();
  owner = await registerAndSignIn(api, 'Olu Owner');
});
afterAll(async () => {
  await api?.close();
});

/** One stored event of a stream, as stored (ciphertext) and as decoded now. */
async function storedAndDecoded<E extends { type: string; data: unknown }>(
  stream: string,
  type: string,
  catalogue: EventCatalogue<E>,
) {
  const recorded = (await readStreamOrEmpty(api.runtime.store, stream)).find((e) => e.type === type);
  if (!recorded) throw new Error(`${stream} has no ${type}`);
  const decoded = await api.runtime.codec.decode(catalogue, recorded);
  return {
    subject: recorded.metadata.personalDataSubject,
    stored: recorded.data as Record<string, unknown>,
    decoded: decoded?.event.data as Record<string, unknown>,
  };
}

describe('community words under their writer’s key', () => {
  it('a removal reason is the moderator’s: encrypted with their key, gone when they are forgotten', async () => {
    const [member, moderator] = await Promise.all([
      registerAndSignIn(api, 'Mo Member'),
      registerAndSignIn(api, 'Rey Moderator'),
    ]);
    const communityId = (await createCommunity(api, owner)).id;
    await addMember(api, owner, communityId, member);
    await addMember(api, owner, communityId, moderator, 'MODERATOR');
    const threadId = fieldOf<{ id: string }>(
      await api.gql(START, { c: communityId, t: 'Offer', b: 'Cheap pills' }, member.accessToken),
      'startCommunityThread',
    ).id;
    const removed = await api.gql(REMOVE, { p: threadId, r: 'Spam, again' }, moderator.accessToken);
    expect(fieldOf(removed, 'removeCommunityPost')).toMatchObject({
      status: 'REMOVED',
      removal: { reason: 'Spam, again', removedBy: moderator.id },
    });

    const event = await storedAndDecoded(
      communityPostStream(threadId),
      'CommunityPostRemoved',
      communityPostEventCatalogue,
    );
    expect(event.subject).toBe(communityMemberSubject(communityId, moderator.id));
    expect(isEncryptedField(event.stored.reason)).toBe(true);
    expect(event.decoded.reason).toBe('Spam, again');

    expect(
      fieldOf<{ userId: string }>(await api.gql(FORGET, {}, moderator.accessToken), 'forgetUser'),
    ).toEqual({
      userId: moderator.id,
    });
    // Unreadable in the history, emptied in the read model; who removed it and when stay.
    expect(
      (
        await storedAndDecoded(
          communityPostStream(threadId),
          'CommunityPostRemoved',
          communityPostEventCatalogue,
        )
      ).decoded.reason,
    ).toBeNull();
    const { rows } = await api.runtime.pool.query(
      'select removal_reason, removed_by from community_posts where post_id = $1',
      [threadId],
    );
    expect(rows).toEqual([{ removal_reason: null, removed_by: moderator.id }]);
    const seen = await api.gql(THREAD, { id: threadId }, owner.accessToken);
    expect(errorCodes(seen)).toEqual([]);
    expect(fieldOf(seen, 'communityThread')).toMatchObject({
      status: 'REMOVED',
      removal: { reason: null, removedBy: moderator.id },
    });
  });

  it('a grader’s feedback is under the grader’s key, not the learner’s', async () => {
    const [mentor, learner] = await Promise.all([
      registerAndSignIn(api, 'Mina Mentor'),
      registerAndSignIn(api, 'Lea Learner'),
    ]);
    const communityId = (await createCommunity(api, owner)).id;
    await addMember(api, owner, communityId, mentor, 'MENTOR');
    await addMember(api, owner, communityId, learner);
    const path = await publishedPath(api, communityId, mentor.id, 1, {
      questions: [...QUESTIONS, REFLECTION],
    });
    const checkpointId = path.checkpointIds[0] as string;
    const attempt = fieldOf<AttemptView>(
      await api.gql(
        SUBMIT,
        {
          checkpointId,
          answers: [...RIGHT, { questionId: 'why', text: 'Leaves breathe.' }],
          clientTime: new Date().toISOString(),
        },
        learner.accessToken,
      ),
      'submitCheckpointAttempt',
    );
    fieldOf(
      await api.gql(
        GRADE,
        {
          attemptId: attempt.id,
          grades: [{ questionId: 'why', points: 3 }],
          feedback: 'A real observation.',
        },
        mentor.accessToken,
      ),
      'gradeCheckpointReflection',
    );
    const stream = checkpointAttemptsStream(checkpointId, learner.id);
    const graded = await storedAndDecoded(stream, 'CheckpointAttemptGraded', attemptEventCatalogue);
    expect(graded.subject).toBe(communityMemberSubject(communityId, mentor.id));
    expect(isEncryptedField(graded.stored.feedback)).toBe(true);
    expect(graded.decoded.feedback).toBe('A real observation.');

    // Forgetting the grader takes their words; the learner's answers stay theirs, readable.
    fieldOf(await api.gql(FORGET, {}, mentor.accessToken), 'forgetUser');
    expect(
      (await storedAndDecoded(stream, 'CheckpointAttemptGraded', attemptEventCatalogue)).decoded,
    ).toMatchObject({
      feedback: null,
      score: 7,
      passed: true,
    });
    const submitted = await storedAndDecoded(stream, 'CheckpointAttemptSubmitted', attemptEventCatalogue);
    expect(submitted.subject).toBe(communityMemberSubject(communityId, learner.id));
    expect(submitted.decoded.answers).toContain('Leaves breathe.');
  });

  it('forgetting a person destroys their key in a community they created whose join was never written', async () => {
    const creator = randomUUID();
    const communityId = randomUUID();
    // The community stream alone, as a crash between creation's two writes leaves it.
    await appendEvents(api, communityStream(communityId), communityEventCatalogue, [
      {
        type: 'CommunityCreated',
        data: {
          communityId,
          name: 'Half made',
          description: null,
          language: 'en',
          region: 'global',
          visibility: 'public',
          rules: null,
          minTrustToStartThreads: 0,
          minTrustToPostLinks: 0,
          createdBy: creator,
        },
      },
    ]);
    const subject = communityMemberSubject(communityId, creator);
    const { store, keys, pool } = api.runtime;
    // Read model and history alike: with the pool (the read model, then the history after its
    // checkpoint), and the history alone.
    for (const deps of [
      { store, keys, pool },
      { store, keys },
    ]) {
      await keys.keyFor(subject).catch(() => undefined);
      expect(await destroyCommunityTextOf(deps, creator)).toBe(1);
      await expect(keys.keyFor(subject)).rejects.toMatchObject({ reason: 'SUBJECT_FORGOTTEN' });
    }
  });
});
