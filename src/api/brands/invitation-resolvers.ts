import { z } from 'zod';
import { forbidden, notFound } from '../../domain/shared/domain-error.ts';
import { invitationAddressKey, invitationEmailHash } from '../../services/brands/invitation-addresses.ts';
import {
  acceptBrandInvitation,
  callerEmailHash,
  declineBrandInvitation,
  inviteBrandMember,
  revokeBrandInvitation,
} from '../../services/brands/invitations.ts';
import type { RequestContext } from '../../services/shared/command-context.ts';
import { callerFor, type GraphQLContext, type RequestScope } from '../request-scope.ts';
import { brandOrNotFound, brandView } from './brand-view.ts';
import { toInvitation, toMyInvitation } from './invitation-mappers.ts';
import {
  accountEmail,
  findInvitation,
  findMyInvitation,
  invitationBrandId,
  listMyInvitations,
  listOpenInvitations,
} from './invitation-queries.ts';
import type { BrandView } from './mappers.ts';

type Args = Record<string, unknown>;
type Resolver = (root: unknown, args: Args, context: GraphQLContext) => Promise<unknown>;

const invitationArgs = z.object({ invitationId: z.uuid() });

/** The same refusal the decider gives: an unknown id reads like someone else's invitation. */
const notInvited = () =>
  forbidden('NOT_INVITED', 'There is no invitation with this id for your e-mail address');

/**
 * Invitations: brand admins invite and revoke and list a brand's pending ones; the invitee lists
 * theirs (found by the hash of their own account address) and accepts or declines.
 */
export function invitationResolvers() {
  const Mutation: Record<string, Resolver> = {
    inviteBrandMember: async (_root, args, { scope }) => {
      const caller = await callerFor(scope, 'write');
      const invitationId = await inviteBrandMember(scope.publishing, caller, args);
      return toInvitation(await invitationOrNotFound(scope, invitationId));
    },
    revokeBrandInvitation: async (_root, args, { scope }) => {
      const caller = await callerFor(scope, 'write');
      const { invitationId } = invitationArgs.parse(args);
      const brandId = await invitationBrandId(scope.services.pool, invitationId);
      if (!brandId) throw notFound('INVITATION_NOT_FOUND', 'No such invitation');
      await revokeBrandInvitation(scope.publishing, caller, { ...args, brandId });
      return toInvitation(await invitationOrNotFound(scope, invitationId));
    },
    acceptBrandInvitation: async (_root, args, { scope }) => {
      const caller = await callerFor(scope, 'write');
      const { invitationId } = invitationArgs.parse(args);
      const brandId = await invitationBrandId(scope.services.pool, invitationId);
      if (!brandId) throw notInvited();
      await acceptBrandInvitation(scope.publishing, caller, { ...args, brandId });
      return brandOrNotFound(await brandView(scope, caller, brandId));
    },
    declineBrandInvitation: async (_root, args, { scope }) => {
      const caller = await callerFor(scope, 'write');
      const { invitationId } = invitationArgs.parse(args);
      const brandId = await invitationBrandId(scope.services.pool, invitationId);
      if (!brandId) throw notInvited();
      await declineBrandInvitation(scope.publishing, caller, { ...args, brandId });
      // The decider accepted the caller as the invitee, so their hash is the invitation's.
      const emailHash = await callerEmailHash(scope.publishing, caller.actor);
      const row = emailHash
        ? await findMyInvitation(scope.services.pool, invitationId, emailHash)
        : undefined;
      if (!row) throw notInvited();
      return toMyInvitation(row);
    },
  };

  const Query: Record<string, Resolver> = {
    myBrandInvitations: async (_root, _args, { scope }) => {
      const caller = await callerFor(scope, 'read');
      const emailHash = await ownAddressHash(scope, caller);
      if (emailHash === null) return [];
      return (await listMyInvitations(scope.services.pool, emailHash)).map(toMyInvitation);
    },
  };

  const Brand = {
    /** Brand admins only (platform admins count): the hints are their colleagues' addresses. */
    invitations: async (parent: BrandView, _args: Args, { scope }: GraphQLContext) => {
      if (parent.myRole !== 'admin') return null;
      return (await listOpenInvitations(scope.services.pool, parent.id)).map(toInvitation);
    },
  };

  return { Mutation, Query, Brand };
}

async function invitationOrNotFound(scope: RequestScope, invitationId: string) {
  const row = await findInvitation(scope.services.pool, invitationId);
  if (!row) throw notFound('INVITATION_NOT_FOUND', 'The invitation is not visible yet; read it again');
  return row;
}

/**
 * The hash of the caller's own account address, from the users read model. Only a person signed
 * in has invitations: an API key answers for no one's mailbox.
 */
async function ownAddressHash(scope: RequestScope, caller: RequestContext): Promise<string | null> {
  if (caller.actor.kind !== 'user') {
    throw forbidden('SIGNED_IN_USER_ONLY', 'Only a signed-in user has invitations');
  }
  const email = await accountEmail(scope.services.pool, caller.actor.userId);
  return email === null
    ? null
    : invitationEmailHash(invitationAddressKey(scope.publishing.authSecret), email);
}
