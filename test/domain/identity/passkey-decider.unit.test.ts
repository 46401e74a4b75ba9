import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  MAX_PASSKEYS,
  type PasskeyCommand,
  passkeyCloneSuspected,
  passkeyDecider,
} from '../../../src/domain/identity/passkey-decider.ts';
import type { PasskeyEvent } from '../../../src/domain/identity/passkey-events.ts';
import { type DecisionContext, fold } from '../../../src/domain/shared/decider.ts';
import {
  anAdmin,
  anIntegration,
  anotherUser,
  asUser,
  by,
  minutes,
  shift,
  theSystem,
} from '../support/actors.ts';
import { deciderSpec } from '../support/decider-spec.ts';

const spec = deciderSpec(passkeyDecider);
const now = new Date('2026-03-02T10:00:00.000Z');
const earlier = shift(now, -minutes(30)).toISOString();
const signInSystem = by(theSystem('sign-in'), now);

let userId: string;
let owner: DecisionContext;
beforeEach(() => {
  userId = randomUUID();
  owner = by(asUser(userId), now);
});

const credentialId = 'cred-AAAA_bbbb';
const publicKey = 'pQECAyYgASFYIA';
const register = (id = credentialId, counter = 0): PasskeyCommand => ({
  type: 'RegisterPasskey',
  userId,
  credentialId: id,
  publicKey,
  counter,
  transports: ['internal'],
  name: 'Laptop',
  backedUp: false,
});
const registered = (id = credentialId, counter = 0, at = earlier): PasskeyEvent => ({
  type: 'PasskeyRegistered',
  data: {
    userId,
    credentialId: id,
    publicKey,
    counter,
    transports: ['internal'],
    name: 'Laptop',
    backedUp: false,
    at,
  },
});
const used = (counter: number, at = now.toISOString()): PasskeyEvent => ({
  type: 'PasskeyUsed',
  data: { userId, credentialId, counter, at },
});
const use = (counter: number, id = credentialId): PasskeyCommand => ({
  type: 'UsePasskey',
  credentialId: id,
  counter,
});
const removed = (id = credentialId): PasskeyEvent => ({
  type: 'PasskeyRemoved',
  data: { userId, credentialId: id, at: now.toISOString() },
});

describe('passkey decider', () => {
  describe('RegisterPasskey', () => {
    it('registers a verified credential for its owner', () => {
      spec
        .given([])
        .when(register('cred-1', 0), owner)
        .then([registered('cred-1', 0, now.toISOString())]);
    });

    it('only the person, signed in as themself, registers their passkeys', () => {
      spec.given([]).when(register(), by(anotherUser(), now)).thenThrows('FORBIDDEN', 'NOT_OWNER');
      spec.given([]).when(register(), by(anAdmin(), now)).thenThrows('FORBIDDEN', 'NOT_OWNER');
      spec
        .given([])
        .when(register(), by(anIntegration(userId, ['graphql:write']), now))
        .thenThrows('FORBIDDEN', 'NOT_OWNER');
    });

    it('refuses the same credential twice', () => {
      spec.given([registered()]).when(register(), owner).thenThrows('CONFLICT', 'PASSKEY_EXISTS');
    });

    it(`stops at ${MAX_PASSKEYS} passkeys, and a removal makes room`, () => {
      const full = Array.from({ length: MAX_PASSKEYS }, (_, i) => registered(`cred-${i}`));
      spec.given(full).when(register('one-more'), owner).thenThrows('CONFLICT', 'TOO_MANY_PASSKEYS');
      spec
        .given([...full, removed('cred-3')])
        .when(register('one-more'), owner)
        .then([registered('one-more', 0, now.toISOString())]);
    });
  });

  describe('UsePasskey', () => {
    it('records a counter that went up', () => {
      spec
        .given([registered(credentialId, 5)])
        .when(use(6), signInSystem)
        .then([used(6)]);
    });

    it('accepts an authenticator that does not count (zero stays zero)', () => {
      spec
        .given([registered(credentialId, 0), used(0, earlier)])
        .when(use(0), signInSystem)
        .then([used(0)]);
    });

    it('records a suspected clone when the counter repeats or goes back', () => {
      const suspected = (presented: number, stored: number): PasskeyEvent => ({
        type: 'PasskeyCloneSuspected',
        data: {
          userId,
          credentialId,
          presentedCounter: presented,
          storedCounter: stored,
          at: now.toISOString(),
        },
      });
      spec
        .given([registered(), used(7, earlier)])
        .when(use(7), signInSystem)
        .then([suspected(7, 7)]);
      spec
        .given([registered(), used(7, earlier)])
        .when(use(3), signInSystem)
        .then([suspected(3, 7)]);
      // A counting authenticator that suddenly reports zero is as suspicious as one going back.
      spec
        .given([registered(), used(7, earlier)])
        .when(use(0), signInSystem)
        .then([suspected(0, 7)]);
    });

    it('refuses a passkey suspected of being cloned, even with a higher counter', () => {
      const history: PasskeyEvent[] = [
        registered(),
        used(7, earlier),
        {
          type: 'PasskeyCloneSuspected',
          data: { userId, credentialId, presentedCounter: 7, storedCounter: 7, at: earlier },
        },
      ];
      spec.given(history).when(use(50), signInSystem).thenThrows('UNAUTHENTICATED', 'PASSKEY_CLONED');
    });

    it('knows no credential that was never registered here, or was removed', () => {
      spec.given([]).when(use(1), signInSystem).thenThrows('NOT_FOUND', 'PASSKEY_NOT_FOUND');
      spec
        .given([registered()])
        .when(use(1, 'someone-elses'), signInSystem)
        .thenThrows('NOT_FOUND', 'PASSKEY_NOT_FOUND');
      spec
        .given([registered(), removed()])
        .when(use(1), signInSystem)
        .thenThrows('NOT_FOUND', 'PASSKEY_NOT_FOUND');
    });

    it('does not take a credential id from the object prototype for a passkey', () => {
      spec
        .given([])
        .when(register('constructor'), owner)
        .then([registered('constructor', 0, now.toISOString())]);
      spec
        .given([registered()])
        .when(use(1, 'constructor'), signInSystem)
        .thenThrows('NOT_FOUND', 'PASSKEY_NOT_FOUND');
    });
  });

  describe('RemovePasskey', () => {
    const remove = (id = credentialId): PasskeyCommand => ({ type: 'RemovePasskey', credentialId: id });

    it('lets the owner or an admin remove a passkey', () => {
      spec.given([registered()]).when(remove(), owner).then([removed()]);
      spec.given([registered()]).when(remove(), by(anAdmin(), now)).then([removed()]);
    });

    it('forbids anyone else', () => {
      spec.given([registered()]).when(remove(), by(anotherUser(), now)).thenThrows('FORBIDDEN', 'NOT_OWNER');
    });

    it('refuses an unknown or already removed passkey', () => {
      spec.given([registered()]).when(remove('other'), owner).thenThrows('NOT_FOUND', 'PASSKEY_NOT_FOUND');
      spec
        .given([registered(), removed()])
        .when(remove(), owner)
        .thenThrows('NOT_FOUND', 'PASSKEY_NOT_FOUND');
      spec.given([]).when(remove(), owner).thenThrows('NOT_FOUND', 'PASSKEY_NOT_FOUND');
    });
  });

  describe('evolve', () => {
    it('keeps the counter and last use, and forgets removed passkeys', () => {
      const state = fold(passkeyDecider, [registered('a'), registered('b'), used(9), removed('b')]);
      expect(Object.keys(state.passkeys)).toEqual(['a']);
      const afterUse = fold(passkeyDecider, [registered(), used(9)]);
      expect(afterUse.passkeys[credentialId]).toMatchObject({ counter: 9, lastUsedAt: now.toISOString() });
    });

    it('tells a recorded clone from a plain use', () => {
      const suspected: PasskeyEvent = {
        type: 'PasskeyCloneSuspected',
        data: { userId, credentialId, presentedCounter: 1, storedCounter: 1, at: earlier },
      };
      expect(passkeyCloneSuspected([suspected])).toBe(true);
      expect(passkeyCloneSuspected([used(2)])).toBe(false);
    });
  });
});
