import type { FastifyRequest } from 'fastify';
import type { IResolvers } from 'mercurius';
import { validation } from '../../domain/shared/domain-error.ts';
import { requestPasswordReset, resetPassword } from '../../services/identity/password-reset.ts';
import type { SignInClient } from '../../services/identity/sign-in.ts';
import { resendVerificationEmail, verifyEmail } from '../../services/identity/verification.ts';
import { callerFor, type GraphQLContext } from '../request-scope.ts';

type Args = Record<string, unknown>;

/** E-mail verification and password reset (recovery.graphql); thin, like the identity resolvers. */
export function recoveryResolvers(): IResolvers {
  return {
    Mutation: {
      resendVerificationEmail: async (_root: unknown, args: Args, { scope }: GraphQLContext) => {
        const caller = await callerFor(scope, 'write');
        const { expiresAt } = await resendVerificationEmail(scope.identity, caller, args);
        return { expiresAt };
      },
      verifyEmail: async (_root: unknown, args: Args, { scope }: GraphQLContext) => {
        const caller = await callerFor(scope, 'public');
        return verifyEmail(scope.identity, caller, args);
      },
      requestPasswordReset: async (_root: unknown, args: Args, { scope, reply }: GraphQLContext) => {
        const caller = await callerFor(scope, 'public');
        return requestPasswordReset(
          { ...scope.identity, pool: scope.services.pool },
          caller,
          args,
          // Behind a proxy this is the client's address when TRUST_PROXY says whom to believe.
          { address: reply?.request.ip ?? 'unknown' },
        );
      },
      resetPassword: async (_root: unknown, args: Args, { scope }: GraphQLContext) => {
        const caller = await callerFor(scope, 'public');
        await resetPassword(scope.identity, caller, args);
        return true;
      },
    },
  };
}

const MAX_DEVICE_ID_LENGTH = 200;

/** Where a sign-in comes from: the user agent header and the client's own device id, if it sent one. */
export function signInClient(request: FastifyRequest | undefined, input: unknown): SignInClient {
  const deviceId = (input as { deviceId?: unknown } | null)?.deviceId;
  if (typeof deviceId === 'string' && deviceId.length > MAX_DEVICE_ID_LENGTH) {
    throw validation('INVALID_DEVICE_ID', `deviceId must be at most ${MAX_DEVICE_ID_LENGTH} characters`);
  }
  return {
    userAgent: request?.headers['user-agent'],
    deviceId: typeof deviceId === 'string' ? deviceId : undefined,
  };
}
