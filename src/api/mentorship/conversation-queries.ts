import type pg from 'pg';
import { z } from 'zod';
import type { Actor } from '../../domain/shared/decider.ts';
import { validation } from '../../domain/shared/domain-error.ts';
import { type Connection, encodeCursor, MAX_PAGE_SIZE, pageOf } from '../pagination.ts';
import { parameters, sortKey, whereClause } from '../shared/sql.ts';

/** Who reads: the learner their own conversations, platform admins anyone's. */
export interface ConversationViewer {
  admin: boolean;
  userId: string | null;
}

export function conversationViewerOf(actor: Actor): ConversationViewer {
  if (actor.kind === 'user') return { admin: actor.role === 'admin', userId: actor.userId };
  if (actor.kind === 'integration') return { admin: false, userId: actor.ownerId };
  return { admin: false, userId: null };
}

export interface ConversationRow {
  conversation_id: string;
  learner_id: string;
  persona: string;
  message_count: number;
  pending_reply_id: string | null;
  last_message_at: Date | null;
  created_at: Date;
  updated_at: Date;
  sort_key: string;
}

export interface MessageRow {
  conversation_id: string;
  seq: number;
  message_id: string;
  role: 'learner' | 'mentor';
  text: string | null;
  reply_to: string | null;
  reply_id: string | null;
  reply_status: string | null;
  failure_code: string | null;
  provider: string | null;
  model: string | null;
  label: string | null;
  total_tokens: number | null;
  created_at: Date;
}

const CONVERSATION_COLUMNS = `c.conversation_id, c.learner_id, c.persona, c.message_count, c.pending_reply_id,
  c.last_message_at, c.created_at, c.updated_at, ${sortKey('c.created_at')}`;

/** A conversation the viewer may read; undefined otherwise (a stranger learns nothing). */
export async function findConversation(
  pool: pg.Pool,
  viewer: ConversationViewer,
  conversationId: string,
): Promise<ConversationRow | undefined> {
  const { rows } = await pool.query<ConversationRow>(
    `select ${CONVERSATION_COLUMNS} from mentor_conversations c where c.conversation_id = $1`,
    [conversationId],
  );
  const row = rows[0];
  if (!row) return undefined;
  return viewer.admin || viewer.userId === row.learner_id ? row : undefined;
}

const listInput = z.object({ first: z.unknown().optional(), after: z.unknown().optional() });
const listCursor = z.tuple([z.iso.datetime(), z.uuid()]);

/** The viewer's own conversations, newest first. */
export async function listMyConversations(pool: pg.Pool, viewer: ConversationViewer, raw: unknown) {
  const { first, after } = listInput.parse(raw);
  const page = pageOf({ first, after }, 2);
  if (viewer.userId === null) return { rows: [], page, total: 0 };
  const params = parameters();
  const where = [`c.learner_id = ${params.add(viewer.userId)}::uuid`];
  const { rows: counted } = await pool.query<{ count: string }>(
    `select count(*) from mentor_conversations c ${whereClause(where)}`,
    [...params.values],
  );
  if (page.after) {
    const parsed = listCursor.safeParse(page.after);
    if (!parsed.success) throw validation('INVALID_CURSOR', 'after is not a cursor this API handed out');
    const [afterCreated, afterId] = parsed.data;
    where.push(
      `(c.created_at, c.conversation_id) < (${params.add(afterCreated)}::timestamptz, ${params.add(afterId)}::uuid)`,
    );
  }
  const { rows } = await pool.query<ConversationRow>(
    `select ${CONVERSATION_COLUMNS} from mentor_conversations c ${whereClause(where)}
      order by c.created_at desc, c.conversation_id desc limit ${params.add(page.first + 1)}`,
    params.values,
  );
  return { rows, page, total: Number(counted[0]?.count ?? 0) };
}

export const conversationCursor = (row: ConversationRow) => [row.sort_key, row.conversation_id];

const MESSAGE_COLUMNS = `m.conversation_id, m.seq, m.message_id, m.role, m.text, m.reply_to, m.reply_id,
  m.reply_status, m.failure_code, m.provider, m.model, m.label, m.total_tokens, m.created_at`;

const messagesInput = z
  .object({
    last: z.number().int().min(1).max(MAX_PAGE_SIZE).nullish(),
    before: z.string().max(200).nullish(),
  })
  .nullish();
const seqCursor = z.tuple([z.string().regex(/^\d{1,9}$/)]);

/**
 * A page of a conversation's messages, newest last: the latest `last` before the cursor. Read
 * backwards from the cursor (one index range on the primary key), returned in order.
 */
export async function conversationMessages(
  pool: pg.Pool,
  conversationId: string,
  raw: unknown,
): Promise<Connection<MessageRow>> {
  const input = messagesInput.parse(raw) ?? {};
  const last = input.last ?? 20;
  const page = pageOf({ first: last, after: input.before }, 1);
  let before = 2_147_483_647; // int4 max: every seq is below it
  if (page.after) {
    const parsed = seqCursor.safeParse(page.after);
    if (!parsed.success) throw validation('INVALID_CURSOR', 'before is not a cursor this API handed out');
    before = Number(parsed.data[0]);
  }
  const [{ rows }, { rows: counted }] = await Promise.all([
    pool.query<MessageRow>(
      `select ${MESSAGE_COLUMNS} from mentor_messages m
        where m.conversation_id = $1 and m.seq < $2 order by m.seq desc limit $3`,
      [conversationId, before, last + 1],
    ),
    pool.query<{ count: string }>('select count(*) from mentor_messages where conversation_id = $1', [
      conversationId,
    ]),
  ]);
  const newestFirst = rows.slice(0, last);
  const edges = newestFirst.reverse().map((row) => ({ cursor: encodeCursor([String(row.seq)]), node: row }));
  return {
    edges,
    nodes: edges.map((edge) => edge.node),
    pageInfo: {
      hasNextPage: page.after !== undefined,
      hasPreviousPage: rows.length > last,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount: Number(counted[0]?.count ?? 0),
  };
}

export async function findMessage(pool: pg.Pool, conversationId: string, messageId: string) {
  const { rows } = await pool.query<MessageRow>(
    `select ${MESSAGE_COLUMNS} from mentor_messages m
      where m.conversation_id = $1 and m.message_id = $2`,
    [conversationId, messageId],
  );
  return rows[0];
}

/**
 * What a reply subscription looks at: mentor messages recorded after `afterSeq` or answering a
 * watched reply, and learner messages whose reply is pending or failed.
 */
export async function settledReplies(
  pool: pg.Pool,
  conversationId: string,
  afterSeq: number,
  watched: readonly string[],
) {
  const { rows } = await pool.query<MessageRow>(
    `select ${MESSAGE_COLUMNS} from mentor_messages m
      where m.conversation_id = $1 and (m.seq > $2 or m.reply_id = any($3::uuid[])
        or (m.role = 'learner' and m.reply_status in ('pending', 'failed')))
      order by m.seq`,
    [conversationId, afterSeq, watched],
  );
  return rows;
}
