import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { definitionOf } from '../../src/commands/event-codec.ts';
import { brandEventCatalogue } from '../../src/domain/brands/brand-events.ts';
import { membershipEventCatalogue } from '../../src/domain/communities/membership-events.ts';
import { contentEventCatalogue } from '../../src/domain/content/content-events.ts';
import { userEventCatalogue } from '../../src/domain/identity/user-events.ts';
import { mediaEventCatalogue } from '../../src/domain/media/media-events.ts';
import { sessionEventCatalogue } from '../../src/domain/mentorship/session-events.ts';
import { reminderEventCatalogue } from '../../src/domain/notifications/reminder-events.ts';
import type { DomainEvent } from '../../src/domain/shared/decider.ts';
import type { EventCatalogue } from '../../src/domain/shared/event-catalogue.ts';
import { commentEventCatalogue } from '../../src/domain/social/comment-events.ts';
import { videoPostEventCatalogue } from '../../src/domain/videos/video-events.ts';
import { InProcessChangeBus } from '../../src/projections/change-bus.ts';
import { Projector } from '../../src/projections/projector.ts';
import { notificationsProjection } from '../../src/projections/read-models/notifications.ts';
import { abandonRebuild, rebuildProjection } from '../../src/projections/rebuild.ts';
import { waitForPosition } from '../../src/projections/wait-for-position.ts';
import { type Pipeline, startPipeline } from '../commands/fixtures/pipeline.ts';

/**
 * The sources whose recipients come from facts the projection keeps (video owners, comment
 * authors, community staff, brand reviewers, content authors, uploaders, session participants),
 * from real events; then erasure of a recipient, and a rebuild giving the same tables.
 */
describe('notifications from kept facts', () => {
  let p: Pipeline;
  let projector: Projector;
  const bus = new InProcessChangeBus();
  const deps = () => ({ store: p.store, pool: p.pool, bus, log: p.log });
  const [ada, ben, cy, dee, eve] = [randomUUID(), randomUUID(), randomUUID(), randomUUID(), randomUUID()];
  const [video, comment, reply, community] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
  const [brand, content, asset, session] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
  const when = (offset: number) => new Date(Date.UTC(2026, 11, 10, 9) + offset * 3_600_000).toISOString();
  let head = 0n;

  async function append<Event extends DomainEvent>(
    stream: string,
    catalogue: EventCatalogue<Event>,
    event: Event,
  ) {
    const definition = definitionOf(catalogue, event.type);
    if (!definition) throw new Error(`no definition for ${event.type}`);
    const commandId = randomUUID();
    const metadata = { commandId, correlationId: commandId, causationId: commandId, actor: 'user:test' };
    const encoded = await p.codec.encode(
      definition,
      event,
      { ...metadata, occurredAt: new Date().toISOString() },
      randomUUID(),
    );
    head = (await p.store.append(stream, [encoded])).position;
  }
  const inbox = async (recipient: string) =>
    (
      await p.pool.query(
        `select type, subject_id, actor_ids, actor_count, data from notification_inbox
          where recipient_id = $1 order by source_position, notification_id`,
        [recipient],
      )
    ).rows;
  const member = (userId: string, role: 'owner' | 'moderator' | 'member') =>
    append(`communitymember-${community}-${userId}`, membershipEventCatalogue, {
      type: 'CommunityMemberJoined',
      data: {
        communityId: community,
        userId,
        role,
        via: role === 'owner' ? 'creation' : 'open',
        approvedBy: null,
      },
    });
  const joinRequest = (userId: string) =>
    append(`communitymember-${community}-${userId}`, membershipEventCatalogue, {
      type: 'CommunityJoinRequested',
      data: { communityId: community, userId },
    });
  const brandMember = (userId: string, role: 'admin' | 'approver' | 'editor') =>
    append(`brand-${brand}`, brandEventCatalogue, {
      type: 'BrandMemberAdded',
      data: { brandId: brand, userId, role, addedBy: ada },
    });
  const posted = (
    commentId: string,
    authorId: string,
    parentId: string | null,
    mentions: { username: string; userId: string }[],
  ) =>
    append(`comment-${commentId}`, commentEventCatalogue, {
      type: 'CommentPosted',
      data: {
        commentId,
        videoId: video,
        authorId,
        parentId,
        rootId: parentId ?? commentId,
        depth: parentId ? 1 : 0,
        body: 'words',
        mentions,
      },
    });

  beforeAll(async () => {
    p = await startPipeline('notifications_sources');
    projector = new Projector(deps(), [notificationsProjection(p.codec)], { batchSize: 4 });
    await projector.start();
    // Comments: on Ada's video; Cy's reply to Ben mentions Dee.
    await append(`videopost-${video}`, videoPostEventCatalogue, {
      type: 'VideoPostCreated',
      data: {
        postId: video,
        ownerId: ada,
        assetId: asset,
        title: 'Hi',
        description: '',
        tags: [],
        visibility: 'unlisted',
      },
    });
    await posted(comment, ben, null, []);
    await posted(reply, cy, comment, [{ username: 'dee', userId: dee }]);
    // A community: Ada owns it, Ben moderates until he leaves, Cy is a member.
    await member(ada, 'owner');
    await member(ben, 'member');
    await append(`communitymember-${community}-${ben}`, membershipEventCatalogue, {
      type: 'CommunityMemberRoleChanged',
      data: { communityId: community, userId: ben, role: 'moderator', changedBy: ada },
    });
    await member(cy, 'member');
    await joinRequest(dee);
    await append(`communitymember-${community}-${ben}`, membershipEventCatalogue, {
      type: 'CommunityMemberLeft',
      data: { communityId: community, userId: ben },
    });
    await joinRequest(eve);
    // Content: Cy writes, Ben (approver) and Ada (admin) review, Ada sends it back.
    await brandMember(ada, 'admin');
    await brandMember(ben, 'approver');
    await brandMember(cy, 'editor');
    const metadata = { seoTitle: null, seoDescription: null, keywords: [] };
    await append(`content-${content}`, contentEventCatalogue, {
      type: 'ContentCreated',
      data: {
        contentId: content,
        brandId: brand,
        type: 'post',
        templateId: null,
        title: 'Launch',
        fields: [],
        metadata,
        authorId: cy,
        version: 1,
      },
    });
    await append(`content-${content}`, contentEventCatalogue, {
      type: 'ContentSubmitted',
      data: {
        contentId: content,
        version: 1,
        submittedBy: cy,
        steps: [
          { name: 'Legal', role: 'approver' },
          { name: 'Brand', role: 'admin' },
        ],
      },
    });
    await append(`content-${content}`, contentEventCatalogue, {
      type: 'ContentStepApproved',
      data: { contentId: content, version: 1, step: 0, stepName: 'Legal', approvedBy: ben, comment: null },
    });
    await append(`content-${content}`, contentEventCatalogue, {
      type: 'ContentRejected',
      data: { contentId: content, version: 1, step: 1, rejectedBy: ada, reason: 'off tone' },
    });
    // Media: Dee uploads, it is ready.
    await append(`media-${asset}`, mediaEventCatalogue, {
      type: 'MediaUploadRequested',
      data: {
        assetId: asset,
        ownerId: dee,
        kind: 'video',
        fileName: 'a.mp4',
        contentType: 'video/mp4',
        declaredSize: 10,
        expiresAt: when(1),
      },
    });
    await append(`media-${asset}`, mediaEventCatalogue, {
      type: 'MediaReady',
      data: { assetId: asset, manifest: { renditions: [], hlsMaster: null, poster: null } },
    });
    // A session Ada schedules with Ben, reminded, then cancelled by Ben.
    await append(`mentorsession-${session}`, sessionEventCatalogue, {
      type: 'MentorshipSessionScheduled',
      data: {
        sessionId: session,
        matchRequestId: randomUUID(),
        mentorId: ada,
        learnerId: ben,
        startsAt: when(30),
        endsAt: when(31),
        durationMinutes: 60,
        room: { provider: 'test', roomName: 'r', url: 'https://rooms.test/r', hasMedia: false },
        scheduledBy: ada,
      },
    });
    await append(`sessionreminder-${session}`, reminderEventCatalogue, {
      type: 'SessionReminderDue',
      data: { sessionId: session, lead: '24h', startsAt: when(30), participantIds: [ada, ben] },
    });
    await append(`mentorsession-${session}`, sessionEventCatalogue, {
      type: 'MentorshipSessionCancelled',
      data: { sessionId: session, cancelledBy: ben, reason: 'ill', at: when(2) },
    });
    // Eve signs in from a new device; Dee is forgotten.
    await append(`user-${eve}`, userEventCatalogue, {
      type: 'LoginSucceeded',
      data: {
        userId: eve,
        sessionId: randomUUID(),
        method: 'password',
        device: { hash: 'b'.repeat(64), label: 'Firefox on Linux', newDevice: true },
        at: when(3),
      },
    });
    await append(`user-${dee}`, userEventCatalogue, {
      type: 'UserForgotten',
      data: { userId: dee, keyId: null, erasedFields: [], at: when(4) },
    });
    expect(
      await waitForPosition(p.pool, bus, head, { timeoutMs: 15_000, projections: ['notifications'] }),
    ).toBe(true);
  });
  afterAll(async () => {
    await projector?.stop();
    await p?.close();
  });

  it('tells the video`s owner of comments (grouped), the parent`s author of the reply', async () => {
    expect(await inbox(ada)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          type: 'video_commented',
          subject_id: video,
          actor_ids: [cy, ben],
          actor_count: 2,
        }),
      ]),
    );
    expect((await inbox(ben)).filter((row) => row.type === 'comment_replied')).toEqual([
      expect.objectContaining({
        subject_id: comment,
        actor_ids: [cy],
        data: expect.objectContaining({ commentId: reply }),
      }),
    ]);
  });

  it('tells the community`s current owners and moderators of requests to join', async () => {
    expect((await inbox(ada)).filter((row) => row.type === 'community_join_requested')).toEqual([
      expect.objectContaining({ subject_id: community, actor_ids: [eve, dee], actor_count: 2 }),
    ]);
    // Ben moderated when Dee asked, not when Eve did.
    expect((await inbox(ben)).filter((row) => row.type === 'community_join_requested')).toEqual([
      expect.objectContaining({ actor_ids: [dee] }),
    ]);
    expect((await inbox(cy)).filter((row) => row.type === 'community_join_requested')).toEqual([]);
  });

  it('asks the reviewers of each step due, and tells the author of the rejection', async () => {
    const reviews = async (userId: string) =>
      (await inbox(userId))
        .filter((row) => row.type === 'content_review_requested')
        .map((row) => row.data.stepName);
    expect(await reviews(ben)).toEqual(['Legal']);
    expect(await reviews(ada)).toEqual(['Legal', 'Brand']);
    expect(await reviews(cy)).toEqual([]);
    expect((await inbox(cy)).filter((row) => row.type === 'content_rejected')).toEqual([
      expect.objectContaining({ subject_id: content, actor_ids: [ada] }),
    ]);
  });

  it('tells session participants, not whoever acted; a new device`s sign-in its owner', async () => {
    const sessionTypes = async (userId: string) =>
      (await inbox(userId)).filter((row) => row.type.startsWith('session_')).map((row) => row.type);
    expect(await sessionTypes(ada)).toEqual(['session_reminder', 'session_cancelled']);
    expect(await sessionTypes(ben)).toEqual(['session_scheduled', 'session_reminder']);
    expect(await inbox(eve)).toEqual([
      expect.objectContaining({
        type: 'new_sign_in',
        actor_ids: [],
        data: expect.objectContaining({ device: 'Firefox on Linux' }),
      }),
    ]);
  });

  it('forgets a person`s inbox and count (they were mentioned and their upload was ready)', async () => {
    expect(await inbox(dee)).toEqual([]);
    const { rows } = await p.pool.query('select * from notification_unread_counts where recipient_id = $1', [
      dee,
    ]);
    expect(rows).toEqual([]);
  });

  it('gives the same tables when rebuilt', async () => {
    const projection = notificationsProjection(p.codec);
    const report = await rebuildProjection(
      deps(),
      { ...projection, version: projection.version + 1 },
      {
        compare: true,
        swap: false,
        batchSize: 500,
      },
    );
    for (const table of report.comparison ?? []) expect(table, table.table).toMatchObject({ same: true });
    expect(await abandonRebuild(p.pool, 'notifications')).toBe(true);
  });
});
