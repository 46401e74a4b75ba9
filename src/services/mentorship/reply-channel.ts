import { EventEmitter } from 'node:events';
import { Redis } from 'ioredis';
import { z } from 'zod';
import type { Logger } from '../../logger.ts';

/**
 * The AI mentor's reply as it is produced, for the `mentorReply` subscription: pieces of text
 * (`delta`, numbered from 0), then `done` once the whole reply is recorded, or `failed`. Only the
 * live part travels here; the whole reply is an event and lives in the read model.
 */
export type ReplyNotice =
  | { kind: 'delta'; conversationId: string; replyId: string; seq: number; delta: string }
  | { kind: 'done'; conversationId: string; replyId: string }
  | { kind: 'failed'; conversationId: string; replyId: string; code: string };

export type ReplyListener = (notice: ReplyNotice) => void;

export interface ReplyChannel {
  /**
   * Resolves once notices published from now on reach this process's subscribers (bounded: false
   * if that could not be ensured in time). Subscriptions await it before the client sends.
   */
  ready(): Promise<boolean>;
  publish(notice: ReplyNotice): Promise<void>;
  /** Notices about one conversation's replies; returns the unsubscribe. */
  subscribe(conversationId: string, listener: ReplyListener): () => void;
  close(): Promise<void>;
}

/** Delivery inside one process: the default, and what `chronicle dev` uses. */
export class InProcessReplyChannel implements ReplyChannel {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  async ready(): Promise<boolean> {
    return true;
  }

  async publish(notice: ReplyNotice): Promise<void> {
    this.emitter.emit(notice.conversationId, notice);
  }

  subscribe(conversationId: string, listener: ReplyListener): () => void {
    this.emitter.on(conversationId, listener);
    return () => this.emitter.off(conversationId, listener);
  }

  async close(): Promise<void> {
    this.emitter.removeAllListeners();
  }
}

const CHANNEL = 'chronicle:mentor-replies';

/**
 * Redis pub/sub, so a client subscribed on one API process sees the reply another one generates.
 * Connects on first use (processes that never touch the mentor open no connection). While Redis is
 * unreachable, notices are delivered in this process only (logged); a subscriber elsewhere still
 * gets the whole reply from the read model once it is recorded.
 */
export class RedisReplyChannel implements ReplyChannel {
  private readonly local = new InProcessReplyChannel();
  private connections: { publisher: Redis; subscriber: Redis; subscribed: Promise<boolean> } | undefined;
  private degraded = false;

  constructor(
    private readonly url: string,
    private readonly log: Logger,
  ) {}

  async publish(notice: ReplyNotice): Promise<void> {
    // Once degraded, do not hold every piece of a reply up waiting for Redis.
    if (!this.degraded) await this.ready();
    const { publisher } = this.connect();
    try {
      if (publisher.status !== 'ready') throw new Error(`Redis is ${publisher.status}`);
      await publisher.publish(CHANNEL, JSON.stringify(notice));
    } catch (error) {
      this.degrade(error);
      await this.local.publish(notice);
    }
  }

  subscribe(conversationId: string, listener: ReplyListener): () => void {
    this.connect();
    return this.local.subscribe(conversationId, listener);
  }

  async close(): Promise<void> {
    this.connections?.publisher.disconnect();
    this.connections?.subscriber.disconnect();
    this.connections = undefined;
    await this.local.close();
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
      () => true,
      (error: unknown) => {
        this.degrade(error);
        return false;
      },
    );
    subscriber.on('message', (_channel, message) => {
      const notice = parseNotice(message);
      if (notice) void this.local.publish(notice);
    });
    this.connections = { publisher, subscriber, subscribed };
    return this.connections;
  }

  /** Both connections up and the channel subscribed, waited for at most `timeoutMs`. */
  async ready(timeoutMs = 2_000): Promise<boolean> {
    const { publisher, subscribed } = this.connect();
    const deadline = Date.now() + timeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    try {
      if (!(await Promise.race([subscribed, late]))) return false;
      while (publisher.status !== 'ready') {
        if (Date.now() >= deadline || publisher.status === 'end') return false;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return true;
    } finally {
      clearTimeout(timer);
    }
  }

  private degrade(error: unknown): void {
    if (this.degraded) return;
    this.degraded = true;
    this.log.warn({ err: error }, 'Redis unavailable: mentor replies stream to this process only');
  }

  private recover(): void {
    if (!this.degraded) return;
    this.degraded = false;
    this.log.info('Redis is back: mentor replies stream to every process again');
  }
}

const id = z.uuid();
const noticeSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('delta'),
    conversationId: id,
    replyId: id,
    seq: z.number().int().min(0),
    delta: z.string(),
  }),
  z.object({ kind: z.literal('done'), conversationId: id, replyId: id }),
  z.object({ kind: z.literal('failed'), conversationId: id, replyId: id, code: z.string() }),
]);

function parseNotice(message: string): ReplyNotice | undefined {
  try {
    const parsed = noticeSchema.safeParse(JSON.parse(message));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined; // not JSON: not ours
  }
}

export function createReplyChannel(redisUrl: string | undefined, log: Logger): ReplyChannel {
  return redisUrl ? new RedisReplyChannel(redisUrl, log) : new InProcessReplyChannel();
}
