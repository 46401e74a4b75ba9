import type { Decider } from '../shared/decider.ts';
import { conflict, notFound, unauthenticated } from '../shared/domain-error.ts';
import { requireSelf, requireSelfOrAdmin } from './authorization.ts';
import { type PasskeyEvent, passkeyEventCatalogue } from './passkey-events.ts';

/** More than anyone carries (a phone, a laptop, two security keys, a password manager...). */
export const MAX_PASSKEYS = 20;

/**
 * Commands on one person's passkeys. Everything WebAuthn checks (challenge, origin, RP id,
 * signature) is verified before the decider runs; it keeps what only the history can answer:
 * which credentials exist, whose they are, and the counter each one has reached.
 */
export type PasskeyCommand =
  | {
      type: 'RegisterPasskey';
      userId: string;
      credentialId: string;
      publicKey: string;
      counter: number;
      transports: string[];
      name: string;
      backedUp: boolean;
    }
  /** A verified assertion with the counter its authenticator data carried. */
  | { type: 'UsePasskey'; credentialId: string; counter: number }
  | { type: 'RemovePasskey'; credentialId: string };

export interface StoredPasskey {
  credentialId: string;
  publicKey: string;
  counter: number;
  transports: readonly string[];
  name: string | null;
  backedUp: boolean;
  registeredAt: string;
  lastUsedAt: string | null;
  /** Set once an assertion's counter failed to go up: the passkey is refused from then on. */
  cloneSuspectedAt: string | null;
}

export interface PasskeyState {
  userId: string | null;
  /** Registered and not removed, by credential id. */
  passkeys: Readonly<Record<string, StoredPasskey>>;
}

export const passkeyDecider: Decider<PasskeyCommand, PasskeyEvent, PasskeyState> = {
  initialState: { userId: null, passkeys: {} },
  evolve: evolvePasskeys,
  decide(command, state, { actor, now }) {
    const at = now.toISOString();
    switch (command.type) {
      case 'RegisterPasskey': {
        const { userId, credentialId, publicKey, counter, transports, name, backedUp } = command;
        requireSelf(actor, userId, 'register a passkey');
        if (passkeyOf(state, credentialId))
          throw conflict('PASSKEY_EXISTS', 'This passkey is already registered');
        if (Object.keys(state.passkeys).length >= MAX_PASSKEYS) {
          throw conflict('TOO_MANY_PASSKEYS', `At most ${MAX_PASSKEYS} passkeys; remove one first`, {
            max: MAX_PASSKEYS,
          });
        }
        return [
          {
            type: 'PasskeyRegistered',
            data: { userId, credentialId, publicKey, counter, transports, name, backedUp, at },
          },
        ];
      }
      case 'UsePasskey': {
        const passkey = existing(state, command.credentialId);
        const userId = state.userId as string;
        if (passkey.cloneSuspectedAt) throw passkeyCloned();
        // WebAuthn §6.1.1: an authenticator that counts never repeats or goes back; both zero
        // means it does not count at all (many synced passkeys), which is no sign of a copy.
        const counts = command.counter > 0 || passkey.counter > 0;
        if (counts && command.counter <= passkey.counter) {
          return [
            {
              type: 'PasskeyCloneSuspected',
              data: {
                userId,
                credentialId: passkey.credentialId,
                presentedCounter: command.counter,
                storedCounter: passkey.counter,
                at,
              },
            },
          ];
        }
        return [
          {
            type: 'PasskeyUsed',
            data: { userId, credentialId: passkey.credentialId, counter: command.counter, at },
          },
        ];
      }
      case 'RemovePasskey': {
        if (state.userId === null) throw notFound('PASSKEY_NOT_FOUND', 'No such passkey');
        requireSelfOrAdmin(actor, state.userId, 'remove a passkey');
        const passkey = existing(state, command.credentialId);
        return [
          { type: 'PasskeyRemoved', data: { userId: state.userId, credentialId: passkey.credentialId, at } },
        ];
      }
      default: {
        const unknown: never = command;
        throw new Error(`Unknown passkey command ${JSON.stringify(unknown)}`);
      }
    }
  },
};

export function evolvePasskeys(state: PasskeyState, event: PasskeyEvent): PasskeyState {
  switch (event.type) {
    case 'PasskeyRegistered': {
      const { userId, credentialId, publicKey, counter, transports, name, backedUp, at } = event.data;
      const passkey: StoredPasskey = {
        credentialId,
        publicKey,
        counter,
        transports,
        name,
        backedUp,
        registeredAt: at,
        lastUsedAt: null,
        cloneSuspectedAt: null,
      };
      return { userId, passkeys: { ...state.passkeys, [credentialId]: passkey } };
    }
    case 'PasskeyUsed':
      return withPasskey(state, event.data.credentialId, (passkey) => ({
        ...passkey,
        counter: event.data.counter,
        lastUsedAt: event.data.at,
      }));
    case 'PasskeyCloneSuspected':
      return withPasskey(state, event.data.credentialId, (passkey) => ({
        ...passkey,
        cloneSuspectedAt: event.data.at,
      }));
    case 'PasskeyRemoved': {
      const { [event.data.credentialId]: _removed, ...rest } = state.passkeys;
      return { ...state, passkeys: rest };
    }
    default:
      return state;
  }
}

function withPasskey(
  state: PasskeyState,
  credentialId: string,
  change: (passkey: StoredPasskey) => StoredPasskey,
): PasskeyState {
  const passkey = passkeyOf(state, credentialId);
  if (!passkey) return state;
  return { ...state, passkeys: { ...state.passkeys, [credentialId]: change(passkey) } };
}

/** Own keys only: a credential id is the client's text, and `constructor` is no passkey. */
export function passkeyOf(state: PasskeyState, credentialId: string): StoredPasskey | undefined {
  return Object.hasOwn(state.passkeys, credentialId) ? state.passkeys[credentialId] : undefined;
}

function existing(state: PasskeyState, credentialId: string): StoredPasskey {
  const passkey = passkeyOf(state, credentialId);
  if (!passkey) throw notFound('PASSKEY_NOT_FOUND', 'No such passkey');
  return passkey;
}

export const passkeyCloned = () =>
  unauthenticated(
    'PASSKEY_CLONED',
    'This passkey has been copied to another authenticator; remove it and register a new one',
  );

/** True when a UsePasskey decision recorded a suspected clone (the caller refuses the sign-in). */
export function passkeyCloneSuspected(events: readonly PasskeyEvent[]): boolean {
  return events.some((event) => event.type === 'PasskeyCloneSuspected');
}

/** The passkey aggregate as the command pipeline (and the audit registry) sees it. */
export const passkeyAggregate = { decider: passkeyDecider, catalogue: passkeyEventCatalogue };
