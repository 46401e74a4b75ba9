import type { IResolvers, MercuriusLoaders } from 'mercurius';
import { z } from 'zod';
import { selfId } from '../../services/identity/account.ts';
import { listSyncConflicts, resolveSyncConflict } from '../../services/sync/conflicts.ts';
import { sync } from '../../services/sync/sync.ts';
import { type DeviceSyncState, deviceSyncStates } from '../../services/sync/sync-device.ts';
import { MAX_PAGE_SIZE } from '../pagination.ts';
import { callerFor, type GraphQLContext } from '../request-scope.ts';
import { toSyncConflict, toSyncConflictConnection, toSyncPayload } from './sync-mappers.ts';

type Args = Record<string, unknown>;
type Resolver = (root: unknown, args: Args, context: GraphQLContext) => Promise<unknown>;

const conflictsArgs = z.object({
  status: z.enum(['OPEN', 'RESOLVED']).nullish(),
  first: z.number().int().min(1).max(MAX_PAGE_SIZE).nullish(),
  after: z.string().max(200).nullish(),
});

/** Offline sync: the round trip, the caller's conflicts and settling one. */
export function syncResolvers(): IResolvers {
  const query: Record<string, Resolver> = {
    mySyncConflicts: async (_root, args, { scope }) => {
      const caller = await callerFor(scope, 'read');
      const { status, first, after } = conflictsArgs.parse(args);
      const page = await listSyncConflicts(scope.services.pool, selfId(caller.actor), {
        status: status ? (status === 'OPEN' ? 'open' : 'resolved') : null,
        first: first ?? 20,
        after: after ?? null,
      });
      return toSyncConflictConnection(page);
    },
  };
  const mutation: Record<string, Resolver> = {
    sync: async (_root, args, { scope }) => {
      const caller = await callerFor(scope, 'write');
      return toSyncPayload(await sync(scope.sync, caller, args.input ?? {}, { form: 'graphql' }));
    },
    resolveSyncConflict: async (_root, args, { scope }) =>
      toSyncConflict(
        await resolveSyncConflict(scope.sync, await callerFor(scope, 'write'), args.input ?? {}),
      ),
  };
  return { Query: query, Mutation: mutation };
}

type DeviceQueries = { obj: { id: string } }[];

/**
 * `Device.lastSyncedAt` and `Device.clockSkewMs` for every device listed, from `sync_devices`: one
 * statement per field asked for, however many devices. Devices are only ever listed to their
 * owner, and the read is limited to the caller's own rows all the same.
 */
export function syncDeviceLoaders(): MercuriusLoaders {
  const field =
    <Value>(pick: (state: DeviceSyncState) => Value) =>
    async (queries: DeviceQueries, { scope }: GraphQLContext) => {
      const caller = await callerFor(scope, 'read');
      const ids = queries.map((query) => query.obj.id);
      const states = await deviceSyncStates(scope.services.pool, selfId(caller.actor), ids);
      return ids.map((id) => {
        const state = states.get(id);
        return state ? pick(state) : null;
      });
    };
  return {
    Device: {
      lastSyncedAt: field((state) => state.lastSyncedAt),
      clockSkewMs: field((state) => state.clockSkewMs),
    },
  };
}
