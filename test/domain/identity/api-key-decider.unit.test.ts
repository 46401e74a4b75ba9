import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { type ApiKeyCommand, apiKeyDecider } from '../../../src/domain/identity/api-key-decider.ts';
import type { ApiKeyEvent } from '../../../src/domain/identity/api-key-events.ts';
import { type ApiScope, type DecisionContext, fold } from '../../../src/domain/shared/decider.ts';
import {
  anAdmin,
  anIntegration,
  anonymous,
  anotherUser,
  asUser,
  by,
  freshHash,
  minutes,
  shift,
  theSystem,
} from '../support/actors.ts';
import { deciderSpec } from '../support/decider-spec.ts';

const spec = deciderSpec(apiKeyDecider);
const now = new Date('2025-06-02T09:30:00.000Z');
const iso = (instant: Date) => instant.toISOString();

let keyId: string;
let ownerId: string;
let tokenHash: string;
/** The owner, signed in interactively. */
let owner: DecisionContext;

beforeEach(() => {
  keyId = randomUUID();
  ownerId = randomUUID();
  tokenHash = freshHash();
  owner = by(asUser(ownerId), now);
});

const create = (scopes: ApiScope[]): ApiKeyCommand => ({
  type: 'CreateApiKey',
  keyId,
  name: 'Publishing bot',
  scopes,
  tokenHash,
  prefix: 'chr_1a2b',
});
const created = (scopes: ApiScope[], at: Date = shift(now, -minutes(60))): ApiKeyEvent => ({
  type: 'ApiKeyCreated',
  data: { keyId, ownerId, name: 'Publishing bot', scopes, tokenHash, prefix: 'chr_1a2b', at: iso(at) },
});
const revoked = (at: Date): ApiKeyEvent => ({ type: 'ApiKeyRevoked', data: { keyId, at: iso(at) } });
const revoke: ApiKeyCommand = { type: 'RevokeApiKey' };

describe('API key decider', () => {
  describe('CreateApiKey', () => {
    it('creates a key owned by the signed-in user', () => {
      spec
        .given([])
        .when(create(['graphql:read', 'graphql:write']), owner)
        .then([created(['graphql:read', 'graphql:write'], now)]);
    });

    it('collapses duplicate scopes', () => {
      spec
        .given([])
        .when(create(['graphql:read', 'events:read', 'graphql:read', 'events:read']), owner)
        .then([created(['graphql:read', 'events:read'], now)]);
    });

    it('rejects a key without scopes', () => {
      spec.given([]).when(create([]), owner).thenThrows('VALIDATION', 'NO_SCOPES');
    });

    it('forbids an API key from minting another, even with graphql:write', () => {
      spec
        .given([])
        .when(create(['graphql:read']), by(anIntegration(ownerId, ['graphql:read', 'graphql:write']), now))
        .thenThrows('FORBIDDEN', 'SIGN_IN_REQUIRED');
    });

    it('forbids the system', () => {
      spec
        .given([])
        .when(create(['graphql:read']), by(theSystem(), now))
        .thenThrows('FORBIDDEN', 'SIGN_IN_REQUIRED');
    });

    it('forbids an anonymous caller', () => {
      spec
        .given([])
        .when(create(['graphql:read']), by(anonymous, now))
        .thenThrows('FORBIDDEN', 'SIGN_IN_REQUIRED');
    });

    it('rejects creating a key that already exists', () => {
      spec
        .given([created(['graphql:read'])])
        .when(create(['graphql:read']), owner)
        .thenThrows('CONFLICT', 'API_KEY_EXISTS');
    });
  });

  describe('RevokeApiKey', () => {
    it('lets the owner revoke their key', () => {
      spec
        .given([created(['graphql:read'])])
        .when(revoke, owner)
        .then([revoked(now)]);
    });

    it('lets an admin revoke it', () => {
      spec
        .given([created(['graphql:read'])])
        .when(revoke, by(anAdmin(), now))
        .then([revoked(now)]);
    });

    it('lets the system revoke it', () => {
      spec
        .given([created(['graphql:read'])])
        .when(revoke, by(theSystem('abuse-detection'), now))
        .then([revoked(now)]);
    });

    it('forbids another user', () => {
      spec
        .given([created(['graphql:read'])])
        .when(revoke, by(anotherUser(), now))
        .thenThrows('FORBIDDEN', 'NOT_OWNER');
    });

    it('forbids a moderator', () => {
      spec
        .given([created(['graphql:read'])])
        .when(revoke, by(anotherUser('moderator'), now))
        .thenThrows('FORBIDDEN', 'NOT_OWNER');
    });

    it("forbids another of the owner's keys", () => {
      spec
        .given([created(['graphql:read'])])
        .when(revoke, by(anIntegration(ownerId, ['graphql:write']), now))
        .thenThrows('FORBIDDEN', 'NOT_OWNER');
    });

    it('rejects revoking a key that does not exist', () => {
      spec.given([]).when(revoke, owner).thenThrows('NOT_FOUND', 'API_KEY_NOT_FOUND');
    });

    it('does nothing the second time', () => {
      spec
        .given([created(['graphql:read']), revoked(shift(now, -minutes(1)))])
        .when(revoke, owner)
        .thenNothing();
    });
  });

  describe('evolve', () => {
    it('folds a created and revoked key', () => {
      expect(fold(apiKeyDecider, [created(['events:read', 'graphql:read'])])).toEqual({
        status: 'active',
        keyId,
        ownerId,
        scopes: ['events:read', 'graphql:read'],
      });
      expect(fold(apiKeyDecider, [created(['events:read']), revoked(now)])).toEqual({
        status: 'revoked',
        keyId,
        ownerId,
        scopes: ['events:read'],
      });
    });

    it('ignores a revocation that precedes the creation', () => {
      expect(fold(apiKeyDecider, [revoked(now)])).toEqual({ status: 'none' });
    });
  });
});
