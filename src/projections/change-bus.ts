import { EventEmitter } from 'node:events';
import { Redis } from 'ioredis';
import { z } from 'zod';
import type { Logger } from '../logger.ts';

/** What the projector announces after each committed batch. */
export interface Change {
  projection: string;
  /** Global position of the last event the batch covered (bigint as a decimal string). */
  position: string;
  /** Read-model keys the batch wrote, up to a limit; `truncated` says more were written. */
  keys: { table: string; key: Record<string, unknown> }[];
  truncated: boolean;
}

/** Keys per announcement: small enough for one Redis message however wide a key is. */
const KEYS_PER_CHANGE = 100;
/** Announcements per batch and projection; past them, the rest is `truncated` (readers re-read all). */
const CHANGES_PER_BATCH = 50;

/**
 * What one committed batch of one projection announces: its keys in announcements of
 * KEYS_PER_CHANGE, so a subscriber can still tell whether the batch concerns it. Truncating to
 * one announcement instead made every batch of more than a few chat messages wake every chat
 * subscription in the process (each then read the read model for nothing). Only a batch wider
 * than CHANGES_PER_BATCH announcements is marked truncated.
 */
export function announcementsOf(
  projection: string,
  position: bigint,
  keys: readonly { table: string; key: Record<string, unknown> }[],
): Change[] {
  const changes: Change[] = [];
  for (let start = 0; start === 0 || start < keys.length; start += KEYS_PER_CHANGE) {
    const last = changes.length === CHANGES_PER_BATCH - 1;
    changes.push({
      projection,
      position: position.toString(),
      keys: keys.slice(start, start + KEYS_PER_CHANGE),
      truncated: last && keys.length > start + KEYS_PER_CHANGE,
    });
    if (last) break;
  }
  return changes;
}

export type ChangeListener = (change: Change) => void;

export interface ChangeBus {
  publish(change: Change): Promise<void>;
  /**
   * A change this process saw reach the read models itself (a command it ran, after read-your-writes).
   * The projector's notifications cover it already, so a bus delivers it only when it cannot hear
   * the projector: the Redis bus while Redis is away, so an API process's subscribers still learn
   * of the changes made through that process.
   */
  noteLocalChange(change: Change): void;
  subscribe(listener: ChangeListener): () => void;
  close(): Promise<void>;
}

/** Delivery inside one process: the default, and what `chronicle dev` uses. */
export class InProcessChangeBus implements ChangeBus {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  async publish(change: Change): Promise<void> {
    this.emitter.emit('change', change);
  }

  subscribe(listener: ChangeListener): () => void {
    this.emitter.on('change', listener);
    return () => this.emitter.off('change', listener);
  }

  /** The projector publishes into this same bus (`chronicle dev`): nothing to add. */
  noteLocalChange(): void {}

  async close(): Promise<void> {
    this.emitter.removeAllListeners();
  }
}

const CHANNEL = 'chronicle:changes';

/**
 * Redis pub/sub, so every API process hears what any projector committed. While Redis is
 * unreachable, changes are delivered in-process only (logged), and delivery across processes
 * resumes when it returns; readers that must not miss a change also poll the checkpoints.
 */
export class RedisChangeBus implements ChangeBus {
  private readonly local = new InProcessChangeBus();
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private degraded = false;
  /** Delivery across processes works once the publisher is ready and the subscription confirmed. */
  private publisherReady = false;
  private subscribed = false;
  private closing = false;

  constructor(
    url: string,
    private readonly log: Logger,
  ) {
    const options = { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: false };
    this.publisher = new Redis(url, options);
    this.subscriber = new Redis(url, { ...options, enableOfflineQueue: true });
    for (const connection of [this.publisher, this.subscriber]) {
      connection.on('error', (error) => this.degrade(error));
    }
    this.publisher.on('ready', () => {
      this.publisherReady = true;
      this.recover();
    });
    this.publisher.on('close', () => {
      this.publisherReady = false;
      this.degrade(new Error('the Redis connection for publishing closed'));
    });
    // Each (re)connection subscribes and waits for Redis to confirm: until then changes published
    // elsewhere do not reach this process, so it does not count as recovered.
    this.subscriber.on('ready', () => {
      this.subscriber.subscribe(CHANNEL).then(
        () => {
          this.subscribed = true;
          this.recover();
        },
        (error: unknown) => this.degrade(error),
      );
    });
    this.subscriber.on('close', () => {
      this.subscribed = false;
      this.degrade(new Error('the Redis connection for subscribing closed'));
    });
    this.subscriber.on('message', (_channel, message) => {
      const change = parseChange(message);
      if (change) void this.local.publish(change);
    });
  }

  async publish(change: Change): Promise<void> {
    try {
      if (this.publisher.status !== 'ready') throw new Error(`Redis is ${this.publisher.status}`);
      await this.publisher.publish(CHANNEL, JSON.stringify(change));
    } catch (error) {
      this.degrade(error);
      await this.local.publish(change);
    }
  }

  subscribe(listener: ChangeListener): () => void {
    return this.local.subscribe(listener);
  }

  noteLocalChange(change: Change): void {
    if (this.degraded) void this.local.publish(change);
  }

  async close(): Promise<void> {
    this.closing = true;
    this.publisher.disconnect();
    this.subscriber.disconnect();
    await this.local.close();
  }

  private degrade(error: unknown): void {
    if (this.degraded || this.closing) return;
    this.degraded = true;
    this.log.warn(
      { err: error },
      'Redis unavailable: change notifications are delivered in this process only',
    );
  }

  private recover(): void {
    if (!this.degraded || !this.publisherReady || !this.subscribed) return;
    this.degraded = false;
    this.log.info('Redis is back: change notifications reach every process again');
  }
}

const changeSchema = z.object({
  projection: z.string(),
  position: z.string().regex(/^-?\d+$/),
  keys: z.array(z.object({ table: z.string(), key: z.record(z.string(), z.unknown()) })),
  truncated: z.boolean(),
});

function parseChange(message: string): Change | undefined {
  try {
    const parsed = changeSchema.safeParse(JSON.parse(message));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined; // not JSON: not ours
  }
}

export function createChangeBus(redisUrl: string | undefined, log: Logger): ChangeBus {
  return redisUrl ? new RedisChangeBus(redisUrl, log) : new InProcessChangeBus();
}
