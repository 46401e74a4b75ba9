import { describe, expect, it } from 'vitest';
import { atLeast, brandAccessOf, recordedAs } from '../../../src/domain/brands/brand-access.ts';
import { brandDecider } from '../../../src/domain/brands/brand-decider.ts';
import { fold } from '../../../src/domain/shared/decider.ts';
import { DomainError } from '../../../src/domain/shared/domain-error.ts';
import { anIntegration, anonymous, asUser, theSystem } from '../support/actors.ts';
import {
  BRAND_ADMIN_ID,
  brandArchived,
  CREATOR_ID,
  EDITOR_ID,
  memberAdded,
  OUTSIDER_ID,
  staffedBrand,
  VIEWER_ID,
} from './brand-fixtures.ts';

const APPROVER_ID = 'e1a5b4c3-d2e1-4f0a-9b8c-7d6e5f4a3b2c';
const brand = fold(brandDecider, [...staffedBrand(), memberAdded(APPROVER_ID, 'approver')]);

describe('brandAccessOf', () => {
  it.each([
    ['a brand admin', CREATOR_ID, 'admin'],
    ['another brand admin', BRAND_ADMIN_ID, 'admin'],
    ['an approver', APPROVER_ID, 'approver'],
    ['an editor', EDITOR_ID, 'editor'],
    ['a viewer', VIEWER_ID, 'viewer'],
    ['a non-member', OUTSIDER_ID, null],
  ] as const)('gives %s the role they hold', (_who, userId, role) => {
    expect(brandAccessOf(brand, asUser(userId))).toBe(role);
  });

  it('treats platform admins as brand admins, members or not', () => {
    expect(brandAccessOf(brand, asUser(OUTSIDER_ID, 'admin'))).toBe('admin');
    expect(brandAccessOf(brand, asUser(VIEWER_ID, 'admin'))).toBe('admin');
  });

  it('treats the system as a brand admin, so sagas can act', () => {
    expect(brandAccessOf(brand, theSystem('publishing'))).toBe('admin');
  });

  it('gives platform moderators and creators no role of their own on a brand', () => {
    expect(brandAccessOf(brand, asUser(OUTSIDER_ID, 'moderator'))).toBeNull();
    expect(brandAccessOf(brand, asUser(EDITOR_ID, 'creator'))).toBe('editor');
  });

  it("gives an API key with write scope its owner's role, and a read-only key a viewer's at most", () => {
    expect(brandAccessOf(brand, anIntegration(EDITOR_ID, ['graphql:write']))).toBe('editor');
    expect(brandAccessOf(brand, anIntegration(BRAND_ADMIN_ID, ['graphql:read']))).toBe('viewer');
    expect(brandAccessOf(brand, anIntegration(OUTSIDER_ID, ['graphql:write', 'graphql:read']))).toBeNull();
  });

  it('gives anonymous callers nothing, and nobody a role on a brand that does not exist', () => {
    expect(brandAccessOf(brand, anonymous)).toBeNull();
    expect(brandAccessOf(brandDecider.initialState, asUser(OUTSIDER_ID, 'admin'))).toBeNull();
    expect(brandAccessOf(brandDecider.initialState, theSystem('publishing'))).toBeNull();
  });

  it('still reports roles on an archived brand (reads of its history go on)', () => {
    const archived = fold(brandDecider, [...staffedBrand(), brandArchived()]);
    expect(brandAccessOf(archived, asUser(EDITOR_ID))).toBe('editor');
  });
});

describe('atLeast', () => {
  it('orders roles viewer < editor < approver < admin', () => {
    expect(atLeast('admin', 'approver')).toBe(true);
    expect(atLeast('approver', 'approver')).toBe(true);
    expect(atLeast('editor', 'approver')).toBe(false);
    expect(atLeast('viewer', 'editor')).toBe(false);
    expect(atLeast(null, 'viewer')).toBe(false);
  });
});

describe('recordedAs', () => {
  it('records users by id, API keys by their owner and the system by process', () => {
    expect(recordedAs(asUser(EDITOR_ID))).toBe(EDITOR_ID);
    expect(recordedAs(anIntegration(EDITOR_ID, ['graphql:write']))).toBe(EDITOR_ID);
    expect(recordedAs(theSystem('publishing'))).toBe('system:publishing');
  });

  it('refuses to record an anonymous caller', () => {
    expect(() => recordedAs(anonymous)).toThrow(DomainError);
    expect(() => recordedAs(anonymous)).toThrow(
      expect.objectContaining({ code: 'FORBIDDEN', reason: 'SIGN_IN_REQUIRED' }),
    );
  });
});
