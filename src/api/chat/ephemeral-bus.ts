import { EventEmitter } from 'node:events';
import { Redis } from 'ioredis';
import { z } from 'zod';
import type { Logger } from '../../logger.ts';

/**
 * What chat says live and forgets: someone typing in a conversation, someone's heartbeat. None of
 * it is an event (nothing reaches the event store or a read model): it is worth something for a
 * few seconds, and replaying it later would only be wrong.
 */
export type EphemeralNotice =
  | { kind: 'typing'; conversationId: string; userId: string; expiresAt: number }
  | { kind: 'presence'; userId: string; lastSeenAt: number };

export type EphemeralListener = (notice: EphemeralNotice) => void;

/** Who listens to what: one topic per conversation's typing, one per person's presence. */
export const typingTopic = (conversationId: string) => `typing:${conversationId}`;
export const presenceTopic = (userId: string) => `presence:${userId}`;
const topicOf = (notice: EphemeralNotice) =>
  notice.kind === 'typing' ? typingTopic(notice.conversationId) : presenceTopic(notice.userId);

export interface EphemeralBus {
  /** To every process's listeners of the notice's topic; with nobody listening it costs nothing more. */
  publish(notice: EphemeralNotice): Promise<void>;
  subscribe(topic: string, listener: EphemeralListener): () => void;
  /** Remembers when someone was last seen (a heartbeat), readable from every process. */
  markSeen(userId: string, at: number): Promise<void>;
  /** When each of them was last seen (ms since the epoch); those never seen are absent. */
  lastSeen(userIds: readonly string[]): Promise<Map<string, number>>;
  close(): Promise<void>;
}

/**
 * How long this process remembers a last-seen time: twice presence's PRESENCE_TTL_MS (30 s), so
 * whoever is online (or just went offline) is known, and the map holds only the recently active
 * instead of everyone who ever sent a heartbeat. Without Redis, "last seen" is therefore forgotten
 * a minute after the last heartbeat (with Redis the key keeps it for 30 days).
 */
export const LOCAL_SEEN_KEPT_MS = 60_000;

/** Delivery and memory inside one process: the default, and what `chronicle dev` uses. */
export class InProcessEphemeralBus implements EphemeralBus {
  private readonly emitter = new EventEmitter().setMaxListeners(0);
  /** Kept in the order last seen (a heartbeat moves its person to the end): the oldest go first. */
  private readonly seen = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  async publish(notice: EphemeralNotice): Promise<void> {
    this.emitter.emit(topicOf(notice), notice);
  }

  subscribe(topic: string, listener: EphemeralListener): () => void {
    this.emitter.on(topic, listener);
    return () => this.emitter.off(topic, listener);
  }

  /** Whether a listener of this process listens to `topic` (the Redis bus subscribes while one does). */
  listens(topic: string): boolean {
    return this.emitter.listenerCount(topic) > 0;
  }

  async markSeen(userId: string, at: number): Promise<void> {
    const latest = Math.max(at, this.seen.get(userId) ?? 0);
    this.seen.delete(userId);
    this.seen.set(userId, latest);
    this.forget();
  }

  async lastSeen(userIds: readonly string[]): Promise<Map<string, number>> {
    this.forget();
    const found = new Map<string, number>();
    for (const id of userIds) {
      const at = this.seen.get(id);
      if (at !== undefined) found.set(id, at);
    }
    return found;
  }

  /** How many last-seen times this process holds. */
  remembered(): number {
    return this.seen.size;
  }

  /** Drops the times older than LOCAL_SEEN_KEPT_MS, from the oldest, stopping at the first kept. */
  private forget(): void {
    const oldest = this.now() - LOCAL_SEEN_KEPT_MS;
    for (const [userId, at] of this.seen) {
      if (at >= oldest) break;
      this.seen.delete(userId);
    }
  }

  async close(): Promise<void> {
    this.emitter.removeAllListeners();
  }
}

/** One Redis channel per topic, so a process receives only what its own subscribers listen to. */
const CHANNEL_PREFIX = 'chronicle:chat-live:';
const channelOf = (topic: string) => `${CHANNEL_PREFIX}${topic}`;
const SEEN_KEY = (userId: string) => `chronicle:chat:seen:${userId}`;
/** How long a last-seen time is kept after the last heartbeat (a month: "last seen weeks ago" is still useful). */
const SEEN_KEPT_SECONDS = 30 * 24 * 3600;
/** How long a first use waits for Redis before going on in this process only. */
const READY_WAIT_MS = 2_000;

/**
 * Redis pub/sub (and keys for last-seen times), so someone typing on one API process is seen by a
 * subscriber on another — the connection pattern of the change bus and the mentor replies' channel.
 * Each topic (`typing:<conversation>`, `presence:<user>`) is its own channel, SUBSCRIBEd only while
 * a listener of this process listens to it: a keystroke or heartbeat nobody watches is published
 * to Redis and goes no further, and a process parses only the notices its subscribers asked for.
 * Connects on first use. While Redis is unreachable, notices reach this process's listeners only
 * and last-seen times are kept in this process (logged): live hints degrade, nothing fails.
 */
export class RedisEphemeralBus implements EphemeralBus {
  private readonly local = new InProcessEphemeralBus();
  private connections: { publisher: Redis; subscriber: Redis } | undefined;
  private degraded = false;

  constructor(
    private readonly url: string,
    private readonly log: Logger,
  ) {}

  async publish(notice: EphemeralNotice): Promise<void> {
    const publisher = await this.publisher();
    try {
      if (publisher.status !== 'ready') throw new Error(`Redis is ${publisher.status}`);
      await publisher.publish(channelOf(topicOf(notice)), JSON.stringify(notice));
    } catch (error) {
      this.degrade(error);
      await this.local.publish(notice);
    }
  }

  subscribe(topic: string, listener: EphemeralListener): () => void {
    const { subscriber } = this.connect();
    const first = !this.local.listens(topic);
    const unsubscribe = this.local.subscribe(topic, listener);
    // Redis runs SUBSCRIBE and UNSUBSCRIBE in the order sent: a topic left and listened to again
    // ends subscribed. ioredis subscribes again by itself after a reconnection.
    if (first) subscriber.subscribe(channelOf(topic)).catch((error: unknown) => this.degrade(error));
    let done = false;
    return () => {
      if (done) return;
      done = true;
      unsubscribe();
      if (!this.local.listens(topic) && this.connections?.subscriber === subscriber) {
        subscriber.unsubscribe(channelOf(topic)).catch((error: unknown) => this.degrade(error));
      }
    };
  }

  async markSeen(userId: string, at: number): Promise<void> {
    // Also here, so a Redis outage still answers with what this process saw.
    await this.local.markSeen(userId, at);
    const publisher = await this.publisher();
    try {
      if (publisher.status !== 'ready') throw new Error(`Redis is ${publisher.status}`);
      await publisher.set(SEEN_KEY(userId), String(at), 'EX', SEEN_KEPT_SECONDS);
    } catch (error) {
      this.degrade(error);
    }
  }

  async lastSeen(userIds: readonly string[]): Promise<Map<string, number>> {
    const local = await this.local.lastSeen(userIds);
    if (userIds.length === 0) return local;
    const publisher = await this.publisher();
    try {
      if (publisher.status !== 'ready') throw new Error(`Redis is ${publisher.status}`);
      const values = await publisher.mget(...userIds.map(SEEN_KEY));
      userIds.forEach((id, i) => {
        const at = Number(values[i] ?? Number.NaN);
        if (Number.isFinite(at)) local.set(id, Math.max(at, local.get(id) ?? 0));
      });
    } catch (error) {
      this.degrade(error);
    }
    return local;
  }

  async close(): Promise<void> {
    this.connections?.publisher.disconnect();
    this.connections?.subscriber.disconnect();
    this.connections = undefined;
    await this.local.close();
  }

  /**
   * The publishing connection, waited for (briefly) while it first connects, so the first notices
   * of a fresh process are not lost; once degraded, not waited for.
   */
  private async publisher(): Promise<Redis> {
    const { publisher } = this.connect();
    if (this.degraded) return publisher;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, READY_WAIT_MS);
    });
    const ready =
      publisher.status === 'ready'
        ? Promise.resolve()
        : new Promise<void>((resolve) => publisher.once('ready', () => resolve()));
    await Promise.race([ready, late]);
    clearTimeout(timer);
    return publisher;
  }

  private connect() {
    if (this.connections) return this.connections;
    const options = { maxRetriesPerRequest: 1, enableOfflineQueue: false };
    const publisher = new Redis(this.url, options);
    const subscriber = new Redis(this.url, { ...options, enableOfflineQueue: true });
    for (const connection of [publisher, subscriber]) {
      connection.on('error', (error) => this.degrade(error));
      connection.on('ready', () => this.recover());
    }
    subscriber.on('message', (channel: string, message: string) => {
      const notice = parseNotice(message);
      // A notice counts only on its own topic's channel: nothing else reaches that topic's listeners.
      if (notice && channel === channelOf(topicOf(notice))) void this.local.publish(notice);
    });
    this.connections = { publisher, subscriber };
    return this.connections;
  }

  private degrade(error: unknown): void {
    if (this.degraded) return;
    this.degraded = true;
    this.log.warn({ err: error }, 'Redis unavailable: typing and presence reach this process only');
  }

  private recover(): void {
    if (!this.degraded) return;
    this.degraded = false;
    this.log.info('Redis is back: typing and presence reach every process again');
  }
}

const id = z.uuid();
const at = z.number().int().nonnegative();
const noticeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('typing'), conversationId: id, userId: id, expiresAt: at }),
  z.object({ kind: z.literal('presence'), userId: id, lastSeenAt: at }),
]);

function parseNotice(message: string): EphemeralNotice | undefined {
  try {
    const parsed = noticeSchema.safeParse(JSON.parse(message));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined; // not JSON: not ours
  }
}

export function createEphemeralBus(redisUrl: string | undefined, log: Logger): EphemeralBus {
  return redisUrl ? new RedisEphemeralBus(redisUrl, log) : new InProcessEphemeralBus();
}
