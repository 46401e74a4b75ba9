import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import type pg from 'pg';
import { z } from 'zod';
import type { EventStore } from '../eventstore/port.ts';
import type { Logger } from '../logger.ts';
import type { OutboundPolicy } from '../net/outbound-policy.ts';
import { OutboundError, postOutbound } from '../net/outbound-post.ts';
import { type Anchor, listAnchors } from './anchors.ts';

/**
 * Anchors published outside the database. Whoever controls the database can rewrite history and
 * re-anchor it; they cannot recall a root already written to a file on another machine or sent to
 * a webhook. `chronicle audit verify --against <file>` compares the store's anchors with such a
 * copy (src/audit/published-roots.ts). One JSON line per anchor:
 */
export const PUBLISHED_ROOT_FORMAT = 'chronicle.audit-root.v1';

const decimal = z.string().regex(/^(0|[1-9][0-9]{0,18})$/);
export const publishedRootSchema = z.object({
  format: z.literal(PUBLISHED_ROOT_FORMAT),
  fromPosition: decimal,
  toPosition: decimal,
  eventCount: z.number().int().min(1),
  merkleRoot: z.string().regex(/^[0-9a-f]{64}$/),
  algorithm: z.string(),
  anchorStream: z.string(),
  anchorEventId: z.string(),
  anchoredAt: z.iso.datetime(),
  signature: z.object({ algorithm: z.literal('ed25519'), keyId: z.string(), value: z.string() }).optional(),
});
export type PublishedRoot = z.infer<typeof publishedRootSchema>;

export function publishedRootOf(anchor: Anchor): PublishedRoot {
  return {
    format: PUBLISHED_ROOT_FORMAT,
    fromPosition: anchor.fromPosition.toString(),
    toPosition: anchor.toPosition.toString(),
    eventCount: anchor.eventCount,
    merkleRoot: anchor.merkleRoot,
    algorithm: anchor.algorithm,
    anchorStream: anchor.stream,
    anchorEventId: anchor.eventId,
    anchoredAt: anchor.anchoredAt.toISOString(),
    ...(anchor.signature ? { signature: anchor.signature } : {}),
  };
}

/** Somewhere roots go. `publish` either delivers all of `roots` or throws (they are sent again). */
export interface RootPublisher {
  /** Names the place, and keys its progress in audit_publications. */
  readonly target: string;
  publish(roots: readonly PublishedRoot[]): Promise<void>;
}

/** Appends JSON lines to a file and syncs it to disk before the progress moves. */
export function fileRootPublisher(path: string): RootPublisher {
  const absolute = resolve(path);
  return {
    target: `file:${absolute}`,
    async publish(roots) {
      const file = await open(absolute, 'a', 0o644);
      try {
        await file.appendFile(roots.map((root) => `${JSON.stringify(root)}\n`).join(''));
        await file.datasync();
      } finally {
        await file.close();
      }
    },
  };
}

export const WEBHOOK_TIMEOUT_MS = 10_000;
/** A store anchored long before publishing was set up catches up in deliveries of this many. */
const MAX_ROOTS_PER_DELIVERY = 500;

/**
 * POSTs `{ "roots": [...] }` as JSON; any 2xx is delivery, a redirect is not followed. The URL is
 * the operator's (AUDIT_PUBLISH_WEBHOOK_URL), yet it goes through the same guard as webhook
 * channels: an internal target must be listed in OUTBOUND_ALLOW_INTERNAL like any other.
 */
export function webhookRootPublisher(url: string, policy: OutboundPolicy): RootPublisher {
  return {
    target: `webhook:${url}`,
    async publish(roots) {
      let status: number;
      try {
        ({ status } = await postOutbound({
          url,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ roots }),
          timeoutMs: WEBHOOK_TIMEOUT_MS,
          policy,
        }));
      } catch (error) {
        if (!(error instanceof OutboundError)) throw error;
        // The cause (how the connection failed) stays for the operator's log.
        throw new Error(`the audit root webhook failed: ${error.failure}`, { cause: error });
      }
      if (status < 200 || status >= 300) throw new Error(`the audit root webhook answered HTTP ${status}`);
    },
  };
}

/**
 * Publishes every anchor not yet published to each target, in range order, then records how far
 * it got. The target's row stays locked while it publishes, so concurrent projector processes
 * take turns; a crash between delivery and the update publishes those roots again (at least once).
 */
export class RootPublication {
  constructor(
    private readonly pool: pg.Pool,
    private readonly store: EventStore,
    private readonly publishers: readonly RootPublisher[],
    private readonly log: Logger,
  ) {}

  get enabled(): boolean {
    return this.publishers.length > 0;
  }

  /** Returns how many roots were published; a failing target is logged and retried next time. */
  async publishPending(): Promise<number> {
    let published = 0;
    for (const publisher of this.publishers) {
      try {
        for (let sent = MAX_ROOTS_PER_DELIVERY; sent === MAX_ROOTS_PER_DELIVERY; ) {
          sent = await this.publishTo(publisher);
          published += sent;
        }
      } catch (error) {
        this.log.error({ err: error, target: publisher.target }, 'publishing audit roots failed; will retry');
      }
    }
    return published;
  }

  private async publishTo(publisher: RootPublisher): Promise<number> {
    const client = await this.pool.connect();
    try {
      await client.query('begin');
      await client.query(
        'insert into audit_publications (target, to_position) values ($1, -1) on conflict do nothing',
        [publisher.target],
      );
      const { rows } = await client.query<{ to_position: string }>(
        'select to_position from audit_publications where target = $1 for update',
        [publisher.target],
      );
      const after = BigInt(rows[0]?.to_position ?? '-1');
      const anchors = (await listAnchors(this.store, { from: after + 1n }))
        .filter((a) => a.fromPosition > after)
        .slice(0, MAX_ROOTS_PER_DELIVERY);
      const last = anchors.at(-1);
      if (!last) {
        await client.query('commit');
        return 0;
      }
      await publisher.publish(anchors.map(publishedRootOf));
      await client.query(
        `update audit_publications set to_position = $2, published = published + $3, updated_at = now()
          where target = $1`,
        [publisher.target, last.toPosition.toString(), anchors.length],
      );
      await client.query('commit');
      this.log.info({ target: publisher.target, roots: anchors.length }, 'audit roots published');
      return anchors.length;
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}
