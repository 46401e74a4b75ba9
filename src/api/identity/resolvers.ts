import type { GraphQLResolveInfo } from 'graphql';
import type { IResolvers } from 'mercurius';
import { forbidden, notFound } from '../../domain/shared/domain-error.ts';
import {
  changePassword,
  deactivateUser,
  revokeAllSessions,
  selfId,
  setRole,
  updateProfile,
} from '../../services/identity/account.ts';
import { createApiKey, revokeApiKey } from '../../services/identity/api-keys.ts';
import { forgetUser } from '../../services/identity/erasure.ts';
import { idInput } from '../../services/identity/inputs.ts';
import { register } from '../../services/identity/registration.ts';
import { type IssuedTokens, refreshSession, signIn, signOut } from '../../services/identity/sign-in.ts';
import { enableTotp, verifyTotp } from '../../services/identity/two-factor.ts';
import type { RequestContext } from '../../services/shared/command-context.ts';
import { connection } from '../pagination.ts';
import { type ApiServices, callerFor, type GraphQLContext } from '../request-scope.ts';
import { selectsField } from '../selected-fields.ts';
import {
  apiKeyCursor,
  scopeFromGraphQL,
  sessionCursor,
  toApiKey,
  toSession,
  toUser,
  userCursor,
} from './mappers.ts';
import { findApiKey, findUser, listApiKeys, listSessions, listUsers } from './read-model-queries.ts';
import { recordedUser } from './recorded-user.ts';
import { signInClient } from './recovery-resolvers.ts';

type Args = Record<string, unknown>;
type Resolver = (
  root: unknown,
  args: Args,
  context: GraphQLContext,
  info: GraphQLResolveInfo,
) => Promise<unknown>;

/** A connection's count is a statement of its own (or a subquery): run only when asked for. */
const withTotal = (info: GraphQLResolveInfo) => ({ withTotal: selectsField(info, 'totalCount') });

/** Resolvers are thin: authenticate, call the use case, wait for the read models, read them. */
export function identityResolvers(): IResolvers {
  const query: Record<string, Resolver> = {
    me: async (_root, _args, { scope }) => {
      const caller = await callerFor(scope, 'read');
      const row = await findUser(scope.services.pool, selfId(caller.actor));
      return row ? toUser(row, caller.actor) : null;
    },
    user: async (_root, args, { scope }) => {
      const caller = await callerFor(scope, 'read');
      const row = await findUser(scope.services.pool, idInput.parse(args).id);
      return row ? toUser(row, caller.actor) : null;
    },
    users: async (_root, args, { scope }, info) => {
      const caller = await callerFor(scope, 'read');
      requireAdmin(caller);
      const { rows, page, total } = await listUsers(scope.services.pool, args, withTotal(info));
      return connection(rows, page, total, userCursor, (row) => toUser(row, caller.actor));
    },
    sessions: async (_root, args, { scope }, info) => {
      const caller = await callerFor(scope, 'read');
      const { rows, page, total } = await listSessions(
        scope.services.pool,
        selfId(caller.actor),
        args.page,
        withTotal(info),
      );
      return connection(rows, page, total, sessionCursor, (row) => toSession(row, caller.sessionId));
    },
    apiKeys: async (_root, args, { scope }, info) => {
      const caller = await callerFor(scope, 'read');
      const { rows, page, total } = await listApiKeys(
        scope.services.pool,
        selfId(caller.actor),
        args.page,
        withTotal(info),
      );
      return connection(rows, page, total, apiKeyCursor, toApiKey);
    },
  };

  const mutation: Record<string, Resolver> = {
    register: async (_root, args, { scope }) => {
      const caller = await callerFor(scope, 'public');
      const { userId } = await register(scope.identity, caller, args.input);
      const row =
        (await findUser(scope.services.pool, userId)) ?? (await recordedUser(scope.identity, userId));
      if (!row) throw notFound('USER_NOT_FOUND', 'No such user');
      return toUser(row, { kind: 'system', process: 'register' });
    },
    login: async (_root, args, { scope, reply }) => {
      const caller = await callerFor(scope, 'public');
      const tokens = await signIn(
        scope.identity,
        caller,
        args.input,
        signInClient(reply?.request, args.input),
      );
      return authPayload(scope.services, tokens);
    },
    refreshSession: async (_root, args, { scope }) => {
      const caller = await callerFor(scope, 'public');
      const tokens = await refreshSession(scope.identity, caller, String(args.refreshToken));
      return authPayload(scope.services, tokens);
    },
    logout: async (_root, args, { scope }) => {
      const caller = await callerFor(scope, 'write');
      if (!caller.sessionId) throw forbidden('NO_SESSION', 'Only a signed-in session can sign out');
      await signOut(scope.identity, caller, caller.sessionId, args);
      return true;
    },
    revokeAllSessions: async (_root, args, { scope }) => {
      const caller = await callerFor(scope, 'write');
      await revokeAllSessions(scope.identity, caller, args);
      return true;
    },
    updateProfile: async (_root, args, { scope }) => {
      const caller = await callerFor(scope, 'write');
      await updateProfile(scope.identity, caller, args.input);
      return userView(scope.services, selfId(caller.actor), caller);
    },
    changePassword: async (_root, args, { scope }) => {
      const caller = await callerFor(scope, 'write');
      await changePassword(scope.identity, caller, args);
      return true;
    },
    setRole: async (_root, args, { scope }) => {
      const caller = await callerFor(scope, 'write');
      await setRole(scope.identity, caller, args);
      return userView(scope.services, String(args.userId), caller);
    },
    deactivateUser: async (_root, args, { scope }) => {
      const caller = await callerFor(scope, 'write');
      await deactivateUser(scope.identity, caller, args);
      return userView(scope.services, String(args.userId), caller);
    },
    enableTotp: async (_root, _args, { scope }) => {
      const caller = await callerFor(scope, 'write');
      const setup = await enableTotp(scope.identity, caller);
      return { secret: setup.secret, otpauthUri: setup.otpauthUri };
    },
    verifyTotp: async (_root, args, { scope }) => {
      const caller = await callerFor(scope, 'write');
      const enabled = await verifyTotp(scope.identity, caller, args);
      return { backupCodes: enabled.backupCodes };
    },
    createApiKey: async (_root, args, { scope }) => {
      const caller = await callerFor(scope, 'write');
      const scopes = Array.isArray(args.scopes)
        ? args.scopes.map((s) => scopeFromGraphQL(String(s)))
        : args.scopes;
      const created = await createApiKey(scope.identity, caller, { name: args.name, scopes });
      return { apiKey: await apiKeyView(scope.services, created.keyId), key: created.token };
    },
    revokeApiKey: async (_root, args, { scope }) => {
      const caller = await callerFor(scope, 'write');
      await revokeApiKey(scope.identity, caller, args);
      return apiKeyView(scope.services, String(args.id));
    },
    forgetUser: async (_root, args, { scope }) => {
      const caller = await callerFor(scope, 'write');
      const receipt = await forgetUser(scope.identity, caller, args);
      return { ...receipt, position: receipt.position?.toString() ?? null };
    },
  };

  return { Query: query, Mutation: mutation };
}

async function userView(services: ApiServices, userId: string, caller: RequestContext) {
  const row = await findUser(services.pool, userId);
  if (!row) throw notFound('USER_NOT_FOUND', 'No such user');
  return toUser(row, caller.actor);
}

async function apiKeyView(services: ApiServices, keyId: string) {
  const row = await findApiKey(services.pool, keyId);
  if (!row) throw notFound('API_KEY_NOT_FOUND', 'No such API key');
  return toApiKey(row);
}

export async function authPayload(services: ApiServices, tokens: IssuedTokens) {
  const row = await findUser(services.pool, tokens.userId);
  if (!row) throw notFound('USER_NOT_FOUND', 'No such user');
  return {
    user: toUser(row, { kind: 'user', userId: tokens.userId, role: tokens.role }),
    accessToken: tokens.accessToken,
    accessTokenExpiresAt: tokens.accessTokenExpiresAt.toISOString(),
    refreshToken: tokens.refreshToken,
    refreshTokenExpiresAt: tokens.refreshTokenExpiresAt.toISOString(),
    deviceId: tokens.deviceId ?? null,
  };
}

function requireAdmin(caller: RequestContext): void {
  if (caller.actor.kind !== 'user' || caller.actor.role !== 'admin') {
    throw forbidden('ADMIN_ONLY', 'Only admins can do this');
  }
}
