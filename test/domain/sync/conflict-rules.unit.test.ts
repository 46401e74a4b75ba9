import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  CONFLICT_RULES,
  SYNC_CHANGE_TYPE_NAMES,
  SYNC_CHANGE_TYPES,
  type SyncChangeType,
} from '../../../src/domain/sync/change-types.ts';
import { CONFLICT_RULE_TABLE, resolveChange } from '../../../src/domain/sync/conflict-rules.ts';
import type { EntityView } from '../../../src/domain/sync/entity-views.ts';
import type { SyncChange } from '../../../src/domain/sync/outcomes.ts';

const change = (
  type: SyncChangeType,
  payload: Record<string, unknown>,
  clientTime = '2026-12-07T10:00:00Z',
): SyncChange => ({
  changeId: `c-${randomUUID()}`,
  type,
  entityId: randomUUID(),
  baseVersion: 2,
  clientTime,
  payload,
});
const resolve = (type: SyncChangeType, conflict: boolean, server: EntityView | null, sent: SyncChange) =>
  resolveChange(SYNC_CHANGE_TYPES[type].rule, { conflict, server, change: sent });

describe('the rules table', () => {
  it('has one row per rule, each described; only serverWinsWithNotice turns a refusal after a conflict into a notice', () => {
    expect(Object.keys(CONFLICT_RULE_TABLE).sort()).toEqual([...CONFLICT_RULES].sort());
    for (const rule of CONFLICT_RULES) {
      expect(CONFLICT_RULE_TABLE[rule].describe.length).toBeGreaterThan(20);
      expect(CONFLICT_RULE_TABLE[rule].refusalAfterConflict).toBe(
        rule === 'serverWinsWithNotice' ? 'supersedeAndNotify' : 'refuse',
      );
    }
  });

  it('without a conflict every change type applies as sent (nothing on the server holds it yet)', () => {
    const payloads: Record<SyncChangeType, Record<string, unknown>> = {
      'checkpoint.answer': { answers: [] },
      'module.progress': { percent: 10 },
      'profile.update': { bio: 'x' },
      'community.join': {},
      'community.leave': {},
      'community.reply': { body: 'x' },
      'community.markHelpful': {},
      'post.edit': { body: 'x' },
      'chat.message': { text: 'x' },
    };
    for (const type of SYNC_CHANGE_TYPE_NAMES) {
      expect(resolve(type, false, null, change(type, payloads[type])), type).toEqual({ kind: 'apply' });
    }
  });
});

describe('lastWriteWinsByClientTime (checkpoint answers)', () => {
  const server = (clientTime: string, final = false): EntityView => ({
    version: 4,
    value: { attemptId: randomUUID(), clientTime, score: 3, maxScore: 10, passed: final, attempts: 1 },
    clientTime,
    final,
    submissions: [{ clientTime, answers: JSON.stringify([{ questionId: 'q1', choices: ['a'] }]) }],
  });
  const answer = (clientTime: string, choice = 'b') =>
    change('checkpoint.answer', { answers: [{ questionId: 'q1', choices: [choice] }] }, clientTime);

  it('the later device time wins; an earlier one is superseded by the server’s answer', () => {
    const current = server('2026-12-07T09:00:00Z');
    expect(resolve('checkpoint.answer', true, current, answer('2026-12-07T09:30:00Z'))).toEqual({
      kind: 'apply',
    });
    expect(resolve('checkpoint.answer', true, current, answer('2026-12-07T08:30:00Z'))).toEqual({
      kind: 'supersede',
      winner: current.value,
    });
  });

  it('compares instants, not strings: 10:30+02:00 is before 09:00Z', () => {
    const current = server('2026-12-07T09:00:00Z');
    expect(resolve('checkpoint.answer', true, current, answer('2026-12-07T10:30:00+02:00')).kind).toBe(
      'supersede',
    );
  });

  it('a tie goes to the server', () => {
    const current = server('2026-12-07T09:00:00Z');
    expect(resolve('checkpoint.answer', true, current, answer('2026-12-07T10:00:00+01:00')).kind).toBe(
      'supersede',
    );
  });

  it('a passed checkpoint is final, however late the device’s answer', () => {
    expect(
      resolve('checkpoint.answer', true, server('2026-12-07T09:00:00Z', true), answer('2026-12-08T09:00:00Z'))
        .kind,
    ).toBe('supersede');
  });

  it('the same answers at the same time are the attempt already made (a retry after a crash)', () => {
    const current = server('2026-12-07T09:00:00Z');
    expect(resolve('checkpoint.answer', true, current, answer('2026-12-07T09:00:00Z', 'a'))).toEqual({
      kind: 'alreadyApplied',
    });
    // Erased answers are never recognised: the rule decides.
    const erased: EntityView = {
      ...current,
      submissions: [{ clientTime: '2026-12-07T09:00:00Z', answers: null }],
    };
    expect(resolve('checkpoint.answer', true, erased, answer('2026-12-07T09:00:00Z', 'a')).kind).toBe(
      'supersede',
    );
  });
});

describe('lastWriteWinsPerField (profiles)', () => {
  const server: EntityView = {
    version: 5,
    value: { displayName: 'Server name', bio: 'Server bio' },
    fieldTimes: { displayName: '2026-12-07T09:00:00Z', bio: '2026-12-07T11:00:00Z' },
  };

  it('every field later on the device: applied as sent', () => {
    const sent = change(
      'profile.update',
      { displayName: 'Device', bio: 'Device bio' },
      '2026-12-07T12:00:00Z',
    );
    expect(resolve('profile.update', true, server, sent)).toEqual({ kind: 'apply' });
  });

  it('no field later: the server’s profile stands', () => {
    const sent = change('profile.update', { displayName: 'Device' }, '2026-12-07T08:00:00Z');
    expect(resolve('profile.update', true, server, sent)).toEqual({
      kind: 'supersede',
      winner: server.value,
    });
  });

  it('some fields later: merged, the device’s later fields over the server’s value', () => {
    const sent = change(
      'profile.update',
      { displayName: 'Device', bio: 'Device bio' },
      '2026-12-07T10:00:00Z',
    );
    expect(resolve('profile.update', true, server, sent)).toEqual({
      kind: 'merge',
      payload: { displayName: 'Device' },
      value: { displayName: 'Device', bio: 'Server bio' },
    });
  });

  it('a tie on a field goes to the server; a field the server never set goes to the device', () => {
    const tie = change('profile.update', { displayName: 'Device' }, '2026-12-07T09:00:00Z');
    expect(resolve('profile.update', true, server, tie).kind).toBe('supersede');
    const unset: EntityView = { ...server, fieldTimes: { displayName: '2026-12-07T09:00:00Z' } };
    const sent = change('profile.update', { displayName: 'Device', bio: null }, '2026-12-07T08:00:00Z');
    expect(resolve('profile.update', true, unset, sent)).toEqual({
      kind: 'merge',
      payload: { bio: null },
      value: { displayName: 'Server name', bio: null },
    });
  });

  it('a profile that already reads as sent is already applied', () => {
    const sent = change('profile.update', { bio: 'Server bio' }, '2026-12-07T08:00:00Z');
    expect(resolve('profile.update', true, server, sent)).toEqual({ kind: 'alreadyApplied' });
  });
});

describe('serverWinsMaximum (module progress)', () => {
  const server = (percent: number, completed = false): EntityView => ({
    version: 1,
    value: { percent, completed },
    final: completed,
  });

  it('more progress applies; less is superseded by the server’s maximum, with or without a conflict', () => {
    expect(resolve('module.progress', true, server(40), change('module.progress', { percent: 70 }))).toEqual({
      kind: 'apply',
    });
    expect(resolve('module.progress', false, server(40), change('module.progress', { percent: 30 }))).toEqual(
      {
        kind: 'supersede',
        winner: { percent: 40, completed: false },
      },
    );
    expect(
      resolve('module.progress', true, server(100, true), change('module.progress', { percent: 90 })).kind,
    ).toBe('supersede');
  });

  it('the same percentage is already applied; completion holds any 100', () => {
    expect(
      resolve('module.progress', true, server(40), change('module.progress', { percent: 40 })).kind,
    ).toBe('alreadyApplied');
    expect(
      resolve('module.progress', true, server(100, true), change('module.progress', { percent: 100 })).kind,
    ).toBe('alreadyApplied');
  });
});

describe('serverWinsWithNotice (community actions)', () => {
  const membership = (status: string): EntityView => ({ version: 3, value: { status } });
  const post: EntityView = { version: 3, value: { title: 'T', body: 'B', status: 'active' } };

  it('decides again against the server, conflict or not', () => {
    expect(resolve('community.join', true, membership('left'), change('community.join', {}))).toEqual({
      kind: 'apply',
    });
    expect(resolve('community.leave', true, membership('member'), change('community.leave', {}))).toEqual({
      kind: 'apply',
    });
    expect(resolve('community.reply', true, post, change('community.reply', { body: 'R' }))).toEqual({
      kind: 'apply',
    });
    expect(resolve('community.markHelpful', true, post, change('community.markHelpful', {}))).toEqual({
      kind: 'apply',
    });
  });

  it('joining when already in (or asked), leaving when already out: already applied', () => {
    for (const status of ['member', 'requested']) {
      expect(resolve('community.join', true, membership(status), change('community.join', {})).kind).toBe(
        'alreadyApplied',
      );
    }
    for (const status of ['left', 'none']) {
      expect(resolve('community.leave', true, membership(status), change('community.leave', {})).kind).toBe(
        'alreadyApplied',
      );
    }
    // A ban is not the leaving the device asked for: the domain refuses it, and the person is told.
    expect(resolve('community.leave', true, membership('banned'), change('community.leave', {})).kind).toBe(
      'apply',
    );
  });
});

describe('manualResolution (post edits)', () => {
  const post: EntityView = {
    version: 6,
    value: { title: 'Server title', body: 'Server body', status: 'active' },
  };

  it('queues an edit of a post that moved on; applies one that did not', () => {
    expect(resolve('post.edit', true, post, change('post.edit', { title: 'Mine', body: 'Mine' }))).toEqual({
      kind: 'queue',
    });
    expect(resolve('post.edit', false, post, change('post.edit', { title: 'Mine', body: 'Mine' }))).toEqual({
      kind: 'apply',
    });
  });

  it('an edit the post already reads as is already applied (a reply has no title)', () => {
    expect(
      resolve('post.edit', true, post, change('post.edit', { title: 'Server title', body: 'Server body' }))
        .kind,
    ).toBe('alreadyApplied');
    expect(
      resolve('post.edit', true, post, change('post.edit', { title: null, body: 'Server body' })).kind,
    ).toBe('alreadyApplied');
  });
});

describe('appendOnly (chat messages)', () => {
  it('always applies: a message written offline is a new message', () => {
    const server: EntityView = { version: 9, value: { text: 'hi', status: 'active' } };
    expect(resolve('chat.message', true, server, change('chat.message', { text: 'hi' }))).toEqual({
      kind: 'apply',
    });
  });
});
