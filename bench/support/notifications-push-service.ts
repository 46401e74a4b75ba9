/**
 * The local Web Push service (test/support/push-service.ts: it checks every VAPID JWT and decrypts
 * every message) in a process of its own, forked by bench/notifications.bench.ts, as a real push
 * service is elsewhere: its JWT checks and decryption do not share the event loop of the worker
 * whose sends are being timed. Also the parent's handle on it (`forkPushService`). Arrival times
 * are milliseconds since the epoch.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { startPushService } from '../../test/support/push-service.ts';

export interface BenchSubscription {
  endpointId: string;
  endpoint: string;
  p256dh: string;
  auth: string;
}

export interface Arrival {
  endpointId: string;
  payload: unknown;
  receivedAt: number;
}

type Request =
  | { id: number; type: 'subscribe'; count: number; applicationServerKey: string }
  | { id: number; type: 'counts' }
  | { id: number; type: 'received'; from: number }
  | { id: number; type: 'stop' };

/** A request before it is numbered (Omit of each member: a plain Omit of the union would merge them). */
type Unnumbered = Request extends infer Each ? (Each extends Request ? Omit<Each, 'id'> : never) : never;

type Reply =
  | { id: number; type: 'subscribed'; subscriptions: BenchSubscription[] }
  | { id: number; type: 'counts'; received: number; rejected: number; rejections: string[] }
  | { id: number; type: 'received'; arrivals: Arrival[] }
  | { id: number; type: 'stopped' }
  | { id: number; type: 'failed'; message: string };

/** The push service as the benchmark drives it, from the parent process. */
export interface ForkedPushService {
  subscribe(count: number, applicationServerKey: string): Promise<BenchSubscription[]>;
  /** Messages accepted and refused so far (with the first few reasons for refusing). */
  counts(): Promise<{ received: number; rejected: number; rejections: string[] }>;
  /** The accepted messages from the `from`-th on, in arrival order. */
  received(from: number): Promise<Arrival[]>;
  stop(): Promise<void>;
}

export async function forkPushService(): Promise<ForkedPushService> {
  const child: ChildProcess = fork(new URL(import.meta.url).pathname, ['--child'], {
    execArgv: ['--import', 'tsx'],
  });
  const pending = new Map<number, (reply: Reply) => void>();
  child.on('message', (reply: Reply) => {
    pending.get(reply.id)?.(reply);
    pending.delete(reply.id);
  });
  let next = 0;
  const ask = <Type extends Reply['type']>(request: Unnumbered, expected: Type) =>
    new Promise<Extract<Reply, { type: Type }>>((resolve, reject) => {
      const id = next++;
      pending.set(id, (reply) => {
        if (reply.type === expected) resolve(reply as Extract<Reply, { type: Type }>);
        else reject(new Error(`push service: ${JSON.stringify(reply).slice(0, 500)}`));
      });
      child.send({ ...request, id });
    });
  return {
    subscribe: async (count, applicationServerKey) =>
      (await ask({ type: 'subscribe', count, applicationServerKey }, 'subscribed')).subscriptions,
    counts: async () => {
      const { received, rejected, rejections } = await ask({ type: 'counts' }, 'counts');
      return { received, rejected, rejections };
    },
    received: async (from) => (await ask({ type: 'received', from }, 'received')).arrivals,
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      await ask({ type: 'stop' }, 'stopped');
      await exited;
    },
  };
}

async function serve() {
  const service = await startPushService();
  process.on('message', async (request: Request) => {
    const reply = (message: Reply) => process.send?.(message);
    try {
      switch (request.type) {
        case 'subscribe':
          return reply({
            id: request.id,
            type: 'subscribed',
            subscriptions: Array.from({ length: request.count }, () => {
              const s = service.createPushSubscription({
                applicationServerKey: request.applicationServerKey,
              });
              return { endpointId: s.endpointId, endpoint: s.endpoint, p256dh: s.p256dh, auth: s.auth };
            }),
          });
        case 'counts':
          return reply({
            id: request.id,
            type: 'counts',
            received: service.received.length,
            rejected: service.rejected.length,
            rejections: service.rejected.slice(0, 5).map((r) => `${r.status} ${r.reason}`),
          });
        case 'received':
          return reply({
            id: request.id,
            type: 'received',
            arrivals: service.received.slice(request.from).map((m) => ({
              endpointId: m.endpointId,
              payload: m.payload,
              receivedAt: m.receivedAt.getTime(),
            })),
          });
        case 'stop':
          await service.stop();
          reply({ id: request.id, type: 'stopped' });
          return process.disconnect();
      }
    } catch (error) {
      reply({
        id: request.id,
        type: 'failed',
        message: error instanceof Error ? error.message : String(error),
      });
    }
  });
}

if (process.argv.includes('--child')) await serve();
