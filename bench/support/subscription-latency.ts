import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { z } from 'zod';
import type { EventStore } from '../../src/eventstore/port.ts';

export interface LatencySamples {
  /** Command start → `meChanged` delivered to a WebSocket client, ms. */
  client: number[];
  /** Command start → the event delivered to a plain event store subscriber in this process, ms. */
  store: number[];
}

const meChanged = z.object({ data: z.object({ meChanged: z.object({ bio: z.string().nullable() }) }) });

/**
 * `subscriptionsPerUser` `meChanged` subscriptions for each user (20 per socket), then rounds of one
 * profile change each: every subscription of that user must see the round's bio. The baseline is
 * the event store's own delivery of the same event to a subscriber, measured in the same rounds.
 */
export async function subscriptionLatency(options: {
  wsUrl: string;
  store: EventStore;
  users: { token: string; update: (bio: string) => Promise<unknown> }[];
  subscriptionsPerUser: number;
  rounds: number;
}): Promise<LatencySamples> {
  const { wsUrl, store, users, subscriptionsPerUser, rounds } = options;
  const samples: LatencySamples = { client: [], store: [] };
  let round:
    | { bio: string; started: number; waiting: number; storeSeen: boolean; done: () => void }
    | undefined;
  let roundUser = -1;
  const clients = [];
  let ready = 0;
  for (const [u, user] of users.entries()) {
    for (let socket = 0; socket < Math.ceil(subscriptionsPerUser / 20); socket++) {
      const client = createClient({
        url: wsUrl,
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${user.token}` },
        retryAttempts: 0,
      });
      clients.push(client);
      for (let s = 0; s < Math.min(20, subscriptionsPerUser - socket * 20); s++) {
        let first = true;
        client.subscribe(
          { query: 'subscription { meChanged { bio } }' },
          {
            next(value) {
              if (first) {
                first = false;
                ready++;
                return;
              }
              const bio = meChanged.parse(value).data.meChanged.bio;
              if (round && bio === round.bio && u === roundUser) {
                samples.client.push(performance.now() - round.started);
                if (--round.waiting === 0) round.done();
              }
            },
            error(error) {
              console.error('subscription failed', error);
            },
            complete() {},
          },
        );
      }
    }
  }
  const total = users.length * subscriptionsPerUser;
  for (let waited = 0; ready < total; waited += 50) {
    if (waited > 60_000) throw new Error(`only ${ready} of ${total} subscriptions started`);
    await new Promise((r) => setTimeout(r, 50));
  }

  const abort = new AbortController();
  const storeSubscriber = (async () => {
    for await (const event of store.subscribeToAll({ fromPosition: 'end', signal: abort.signal })) {
      const bio = z.object({ bio: z.unknown().optional() }).safeParse(event.data);
      if (
        round &&
        !round.storeSeen &&
        event.type === 'UserProfileChanged' &&
        bio.success &&
        bio.data.bio !== undefined
      ) {
        round.storeSeen = true;
        samples.store.push(performance.now() - round.started);
      }
    }
  })();

  for (let r = 0; r < rounds; r++) {
    roundUser = r % users.length;
    const user = users[roundUser];
    if (!user) continue;
    const bio = `round ${r}`;
    const delivered = new Promise<void>((done) => {
      round = { bio, started: performance.now(), waiting: subscriptionsPerUser, storeSeen: false, done };
    });
    await user.update(bio);
    await Promise.race([delivered, new Promise((r) => setTimeout(r, 10_000))]);
  }
  abort.abort();
  await storeSubscriber;
  await Promise.all(clients.map((client) => client.dispose()));
  return samples;
}

export { percentile } from './timing.ts';
