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

/** Delivery and memory inside one process: the default, and what `chronicle dev` uses. */
export class InProcessEphemeralBus implements EphemeralBus {
  private readonly emitter = new EventEmitter().setMaxListeners(0);
  private readonly seen = new Map<string, number>();

  async publish(notice: EphemeralNotice): Promise<void> {
    this.emitter.emit(topicOf(notice), notice);
  }

  subscribe(topic: string, listener: EphemeralListener): () => void {
    this.emitter.on(topic, listener);
    return () => this.emitter.off(topic, listener);
  }

  async markSeen(userId: string, at: number): Promise<void> {
    this.seen.set(userId, Math.max(at, this.seen.get(userId) ?? 0));
  }

  async lastSeen(userIds: readonly string[]): Promise<Map<string, number>> {
    const found = new Map<string, number>();
    for (const id of userIds) {
      const at = this.seen.get(id);
      if (at !== undefined) found.set(id, at);
    }
    return found;
  }

  async close(): Promise<void> {
    this.emitter.removeAllListeners();
  }
}

const CHANNEL = 'chronicle:chat-live';
const SEEN_KEY = (userId: string) => `chronicle:chat:seen:${userId}`;
/** How long a last-seen time is kept after the last heartbeat (a month: "last seen weeks ago" is still useful). */
const SEEN_KEPT_SECONDS = 30 * 24 * 3600;
/** How long a first use waits for Redis before going on in this process only. */
const READY_WAIT_MS = 2_000;

/**
 * Redis pub/sub (and keys for last-seen times), so someone typing on one API process is seen by a
 * subscriber on another — the connection pattern of the change bus and the mentor replies' channel.
 * Connects on first use. While Redis is unreachable, notices reach this process's listeners only
 * and last-seen times are kept in this process (logged): live hints degrade, nothing fails.
 */
export class RedisEphemeralBus implements EphemeralBus {
  private readonly local = new InProcessEphemeralBus();
  private connections: { publisher: Redis; subscriber: Redis; subscribed: Promise<void> } | undefined;
  private degraded = false;

  constructor(
    private readonly url: string,
    private readonly log: Logger,
  ) {}

  async publish(notice: EphemeralNotice): Promise<void> {
    const publisher = await this.publisher();
    try {
      if (publisher.status !== 'ready') throw new Error(`Redis is ${publisher.status}`);
      await publisher.publish(CHANNEL, JSON.stringify(notice));
    } catch (error) {
      this.degrade(error);
      await this.local.publish(notice);
    }
  }

  subscribe(topic: string, listener: EphemeralListener): () => void {
    this.connect();
    return this.local.subscribe(topic, listener);
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
   * The publishing connection, waited for (briefly) while it first connects and the channel is
   * subscribed, so the first notices of a fresh process are not lost; once degraded, not waited for.
   */
  private async publisher(): Promise<Redis> {
    const { publisher, subscribed } = this.connect();
    if (this.degraded) return publisher;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, READY_WAIT_MS);
    });
    const ready =
      publisher.status === 'ready'
        ? Promise.resolve()
        : new Promise<void>((resolve) => publisher.once('ready', () => resolve()));
    await Promise.race([Promise.all([ready, subscribed]), late]);
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
    const subscribed = subscriber.subscribe(CHANNEL).then(
      () => undefined,
      (error: unknown) => this.degrade(error),
    );
    subscriber.on('message', (_channel, message) => {
      const notice = parseNotice(message);
      if (notice) void this.local.publish(notice);
    });
    this.connections = { publisher, subscriber, subscribed };
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
