import type { IResolvers } from 'mercurius';
import { myDevices, registerDevice, unregisterDevice } from '../../services/notifications/devices.ts';
import { callerFor, type GraphQLContext } from '../request-scope.ts';
import { fromGraphQLPlatform, toDevice } from './device-mappers.ts';

type Args = Record<string, unknown>;
type Resolver = (root: unknown, args: Args, context: GraphQLContext) => Promise<unknown>;

/** The device registry: the caller's own devices only, and the key browsers subscribe with. */
export function deviceResolvers(): IResolvers {
  const query: Record<string, Resolver> = {
    myDevices: async (_root, _args, { scope }) =>
      (await myDevices(scope.devices, await callerFor(scope, 'read'))).map(toDevice),
    vapidPublicKey: async (_root, _args, { scope }) => scope.services.devices.vapidPublicKey,
  };
  const mutation: Record<string, Resolver> = {
    registerDevice: async (_root, args, { scope }) => {
      const caller = await callerFor(scope, 'write');
      const input = (args.input ?? {}) as Args;
      return toDevice(
        await registerDevice(scope.devices, caller, {
          ...input,
          platform: fromGraphQLPlatform(input.platform),
        }),
      );
    },
    unregisterDevice: async (_root, args, { scope }) =>
      unregisterDevice(scope.devices, await callerFor(scope, 'write'), args),
  };
  return { Query: query, Mutation: mutation };
}
