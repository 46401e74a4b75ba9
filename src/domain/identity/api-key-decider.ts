import type { ApiScope, Decider } from '../shared/decider.ts';
import { conflict, forbidden, notFound, validation } from '../shared/domain-error.ts';
import type { ApiKeyEvent } from './api-key-events.ts';
import { isAdmin, isSystem, isUser } from './authorization.ts';

export type ApiKeyCommand =
  | {
      type: 'CreateApiKey';
      keyId: string;
      name: string;
      scopes: ApiScope[];
      tokenHash: string;
      prefix: string;
    }
  | { type: 'RevokeApiKey' };

export type ApiKeyState =
  | { status: 'none' }
  | { status: 'active' | 'revoked'; keyId: string; ownerId: string; scopes: readonly ApiScope[] };

export const apiKeyDecider: Decider<ApiKeyCommand, ApiKeyEvent, ApiKeyState> = {
  initialState: { status: 'none' },
  evolve(state, event) {
    switch (event.type) {
      case 'ApiKeyCreated':
        return {
          status: 'active',
          keyId: event.data.keyId,
          ownerId: event.data.ownerId,
          scopes: event.data.scopes,
        };
      case 'ApiKeyRevoked':
        return state.status === 'none' ? state : { ...state, status: 'revoked' };
      default:
        return state;
    }
  },
  decide(command, state, { actor, now }) {
    switch (command.type) {
      case 'CreateApiKey': {
        // Keys are minted by a signed-in person; a key cannot mint more keys.
        if (actor.kind !== 'user')
          throw forbidden('SIGN_IN_REQUIRED', 'Only a signed-in user can create API keys');
        if (state.status !== 'none') throw conflict('API_KEY_EXISTS', 'This API key already exists');
        const scopes = [...new Set(command.scopes)];
        if (scopes.length === 0) throw validation('NO_SCOPES', 'An API key needs at least one scope');
        // A key never holds more than its owner: only auditors and admins may delegate audit reads.
        if (scopes.includes('audit:read') && actor.role !== 'auditor' && actor.role !== 'admin') {
          throw forbidden('AUDIT_SCOPE_NEEDS_AUDITOR', 'Only auditors and admins can create audit:read keys');
        }
        const { keyId, name, tokenHash, prefix } = command;
        return [
          {
            type: 'ApiKeyCreated',
            data: { keyId, ownerId: actor.userId, name, scopes, tokenHash, prefix, at: now.toISOString() },
          },
        ];
      }
      case 'RevokeApiKey': {
        if (state.status === 'none') throw notFound('API_KEY_NOT_FOUND', 'No such API key');
        if (!isUser(actor, state.ownerId) && !isAdmin(actor) && !isSystem(actor)) {
          throw forbidden('NOT_OWNER', 'Not your API key');
        }
        if (state.status === 'revoked') return [];
        return [{ type: 'ApiKeyRevoked', data: { keyId: state.keyId, at: now.toISOString() } }];
      }
      default: {
        const unknown: never = command;
        throw new Error(`Unknown API key command ${JSON.stringify(unknown)}`);
      }
    }
  },
};
