import { describe, expect, it } from 'vitest';
import { groupKeyOf, newEntry, placeDraft } from '../../../src/domain/notifications/grouping.ts';
import type { NotificationDraft } from '../../../src/domain/notifications/notification-rules.ts';
import { notificationIdFor } from '../../../src/domain/notifications/streams.ts';

const OWNER = '11111111-1111-4111-8111-111111111111';
const [ADA, BEN, CY, DEE] = [
  'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa',
  'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb',
  'cccccccc-cccc-4ccc-8ccc-cccccccccccc',
  'dddddddd-dddd-4ddd-8ddd-dddddddddddd',
];
const VIDEO = '22222222-2222-4222-8222-222222222222';
const [E1, E2, E3, E4] = [
  'e1e1e1e1-0000-4000-8000-000000000001',
  'e1e1e1e1-0000-4000-8000-000000000002',
  'e1e1e1e1-0000-4000-8000-000000000003',
  'e1e1e1e1-0000-4000-8000-000000000004',
];
const like = (actorId: string): NotificationDraft => ({
  recipientId: OWNER,
  type: 'video_liked',
  subject: { kind: 'video', id: VIDEO },
  actorId,
  data: {},
});
const source = (eventId: string, minute: number) => ({
  eventId,
  position: String(minute),
  occurredAt: `2026-12-07T10:${String(minute).padStart(2, '0')}:00.000Z`,
});

describe('grouping', () => {
  it('given no unread group, when a like arrives, then a new entry is made with the id derived from the event and recipient', () => {
    const { entry, created } = placeDraft(like(ADA), source(E1, 1), null);
    expect(created).toBe(true);
    expect(entry).toMatchObject({
      notificationId: notificationIdFor(E1, OWNER),
      groupKey: `video:${VIDEO}`,
      actorIds: [ADA],
      actorCount: 1,
      data: { count: 1 },
      sourceEventId: E1,
      lastSourceEventId: E1,
      createdAt: '2026-12-07T10:01:00.000Z',
      updatedAt: '2026-12-07T10:01:00.000Z',
      readAt: null,
    });
  });

  it('given an unread group, when more likes arrive, then it absorbs them: latest actors first, at most three kept, its id and source kept', () => {
    let group = newEntry(like(ADA), source(E1, 1));
    for (const [actor, event, minute] of [
      [BEN, E2, 2],
      [CY, E3, 3],
      [DEE, E4, 4],
    ] as const) {
      const placed = placeDraft(like(actor), source(event, minute), group);
      expect(placed.created).toBe(false);
      group = placed.entry;
    }
    expect(group).toMatchObject({
      notificationId: notificationIdFor(E1, OWNER),
      actorIds: [DEE, CY, BEN],
      actorCount: 4,
      data: { count: 4 },
      sourceEventId: E1,
      lastSourceEventId: E4,
      createdAt: '2026-12-07T10:01:00.000Z',
      updatedAt: '2026-12-07T10:04:00.000Z',
    });
  });

  it('given an unread group, when a person already in it acts again, then they move first and are not counted twice', () => {
    const group = placeDraft(like(BEN), source(E2, 2), newEntry(like(ADA), source(E1, 1))).entry;
    const again = placeDraft(like(ADA), source(E3, 3), group).entry;
    expect(again).toMatchObject({ actorIds: [ADA, BEN], actorCount: 2, data: { count: 3 } });
  });

  it('given a read group, when another like arrives, then it starts a new notification (a read group is never reopened)', () => {
    const read = { ...newEntry(like(ADA), source(E1, 1)), readAt: '2026-12-07T10:05:00.000Z' };
    const { entry, created } = placeDraft(like(BEN), source(E2, 6), read);
    expect(created).toBe(true);
    expect(entry).toMatchObject({
      notificationId: notificationIdFor(E2, OWNER),
      actorIds: [BEN],
      actorCount: 1,
    });
  });

  it('given an unread entry of a type that does not group, when another arrives, then each stands alone', () => {
    const mention = (actorId: string): NotificationDraft => ({
      recipientId: OWNER,
      type: 'mentioned',
      subject: { kind: 'comment', id: VIDEO },
      actorId,
      data: {},
    });
    const first = newEntry(mention(ADA), source(E1, 1));
    expect(placeDraft(mention(BEN), source(E2, 2), first).created).toBe(true);
  });

  it('given an unread group about another subject, when a like arrives, then it does not fold into it', () => {
    const other = newEntry({ ...like(ADA), subject: { kind: 'video', id: OWNER } }, source(E1, 1));
    expect(placeDraft(like(BEN), source(E2, 2), other).created).toBe(true);
    expect(groupKeyOf({ kind: 'video', id: VIDEO })).toBe(`video:${VIDEO}`);
  });

  it('given an event that occurred earlier than the group`s last change, when absorbed, then updated_at does not move back', () => {
    const group = newEntry(like(ADA), source(E1, 30));
    expect(placeDraft(like(BEN), source(E2, 10), group).entry.updatedAt).toBe('2026-12-07T10:30:00.000Z');
  });
});
