import { GraphQLScalarType, Kind, valueFromASTUntyped } from 'graphql';
import type { IResolvers } from 'mercurius';
import { validation } from '../../domain/shared/domain-error.ts';
import {
  finishPasskeyRegistration,
  listPasskeys,
  type PasskeyView,
  removePasskey,
  startPasskeyRegistration,
} from '../../services/identity/passkeys.ts';
import { finishPasskeySignIn, startPasskeySignIn } from '../../services/identity/passkeys-sign-in.ts';
import { callerFor, type GraphQLContext } from '../request-scope.ts';
import { signInClient } from './recovery-resolvers.ts';
import { authPayload } from './resolvers.ts';

type Args = Record<string, unknown>;
type Resolver = (root: unknown, args: Args, context: GraphQLContext) => unknown;

/** Objects only: every WebAuthn options or response value is a JSON object. */
const WebAuthnJSON = new GraphQLScalarType({
  name: 'WebAuthnJSON',
  description: 'A WebAuthn options or credential object, as JSON.',
  serialize: (value) => value,
  parseValue: (value) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw validation('INVALID_PASSKEY_RESPONSE', 'must be a JSON object');
    }
    return value;
  },
  parseLiteral: (ast, variables) => {
    if (ast.kind !== Kind.OBJECT) throw validation('INVALID_PASSKEY_RESPONSE', 'must be a JSON object');
    return valueFromASTUntyped(ast, variables);
  },
});

/** Passkeys: registration, listing, removal and sign-in (passwordless; the second factor is in login). */
export function passkeyResolvers(): IResolvers {
  const Query: Record<string, Resolver> = {
    myPasskeys: async (_root, _args, { scope }) => {
      const caller = await callerFor(scope, 'read');
      return listPasskeys(scope.services, caller);
    },
  };
  const Mutation: Record<string, Resolver> = {
    startPasskeyRegistration: async (_root, args, { scope }) => {
      const caller = await callerFor(scope, 'write');
      return startPasskeyRegistration(scope.identity, caller, args);
    },
    finishPasskeyRegistration: async (_root, args, { scope }): Promise<PasskeyView> => {
      const caller = await callerFor(scope, 'write');
      return (await finishPasskeyRegistration(scope.identity, caller, args)).passkey;
    },
    removePasskey: async (_root, args, { scope }) => {
      const caller = await callerFor(scope, 'write');
      await removePasskey(scope.identity, caller, args);
      return true;
    },
    startPasskeySignIn: async (_root, args, { scope }) => {
      await callerFor(scope, 'public');
      return startPasskeySignIn(scope.identity, args);
    },
    finishPasskeySignIn: async (_root, args, { scope, reply }) => {
      const caller = await callerFor(scope, 'public');
      const tokens = await finishPasskeySignIn(
        scope.identity,
        caller,
        args,
        signInClient(reply?.request, args),
      );
      return authPayload(scope.services, tokens);
    },
  };
  return { WebAuthnJSON, Query, Mutation } as IResolvers;
}
