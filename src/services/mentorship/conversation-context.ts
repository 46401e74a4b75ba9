import type pg from 'pg';
import { z } from 'zod';
import {
  assembleMentorContext,
  type ConversationTurn,
  type LearnerFacts,
  type MentorContext,
  type RecentSessionFacts,
} from '../../domain/mentorship/conversation-context.ts';
import type { ConversationEvent } from '../../domain/mentorship/conversation-events.ts';
import type { MentorPersona } from '../../domain/mentorship/personas.ts';

/** How many of the learner's latest sessions the mentor hears about. */
const RECENT_SESSIONS = 5;

/**
 * The context for one reply: the learner's profile (`learner_profiles`) and latest sessions
 * (`mentorship_sessions`, with the match request's subject when `match_requests` is there) from
 * the read models, and the conversation from its own stream (the write side's truth, so the
 * message just sent is there even if the read models lag), up to the message being answered.
 * Tables another part of mentorship has not created yet simply contribute nothing.
 */
export async function buildMentorContext(
  pool: pg.Pool,
  input: {
    persona: MentorPersona;
    learnerId: string;
    events: readonly ConversationEvent[];
    replyTo: string;
    maxChars?: number;
  },
): Promise<MentorContext> {
  const tables = await existingTables(pool, ['learner_profiles', 'mentorship_sessions', 'match_requests']);
  const [learner, sessions] = await Promise.all([
    tables.has('learner_profiles') ? learnerFacts(pool, input.learnerId) : null,
    tables.has('mentorship_sessions')
      ? recentSessions(pool, input.learnerId, tables.has('match_requests'))
      : [],
  ]);
  return assembleMentorContext({
    persona: input.persona,
    learner,
    sessions,
    history: historyUpTo(input.events, input.replyTo),
    ...(input.maxChars === undefined ? {} : { maxChars: input.maxChars }),
  });
}

/** The turns up to and including the learner's message `replyTo`; erased texts are left out. */
export function historyUpTo(events: readonly ConversationEvent[], replyTo: string): ConversationTurn[] {
  const turns: ConversationTurn[] = [];
  for (const event of events) {
    if (event.type === 'LearnerMessageSent' && event.data.text !== null) {
      turns.push({ role: 'learner', text: event.data.text });
      if (event.data.messageId === replyTo) break;
    }
    if (event.type === 'MentorReplied' && event.data.text !== null) {
      turns.push({ role: 'mentor', text: event.data.text });
    }
  }
  return turns;
}

async function existingTables(pool: pg.Pool, names: readonly string[]): Promise<Set<string>> {
  const { rows } = await pool.query<{ name: string }>(
    'select name from unnest($1::text[]) as name where to_regclass(name) is not null',
    [names],
  );
  return new Set(rows.map((row) => row.name));
}

const stringList = z.array(z.string()).catch([]);
const profileRow = z.object({
  goals: z.array(z.string()).nullable().catch(null),
  subjects: stringList.nullable().transform((value) => value ?? []),
  preferred_style: z.string().nullable().catch(null),
  languages: stringList.nullable().transform((value) => value ?? []),
  time_zone: z.string().nullable().catch(null),
});

async function learnerFacts(pool: pg.Pool, learnerId: string): Promise<LearnerFacts | null> {
  const { rows } = await pool.query(
    `select goals, subjects, preferred_style, languages, time_zone
       from learner_profiles where user_id = $1`,
    [learnerId],
  );
  const parsed = profileRow.safeParse(rows[0]);
  if (!parsed.success) return null;
  const { goals, subjects, preferred_style, languages, time_zone } = parsed.data;
  return { goals, subjects, preferredStyle: preferred_style, languages, timeZone: time_zone };
}

const sessionRow = z.object({
  starts_at: z.date(),
  status: z.string(),
  duration_seconds: z.coerce.number().nullable(),
  subject: z.string().nullable(),
  learner_rating: z.coerce.number().nullable(),
});

async function recentSessions(
  pool: pg.Pool,
  learnerId: string,
  withSubjects: boolean,
): Promise<RecentSessionFacts[]> {
  const subject = withSubjects
    ? '(select r.subject from match_requests r where r.request_id = s.match_request_id)'
    : 'null::text';
  const { rows } = await pool.query(
    `select s.starts_at, s.status, s.duration_seconds, s.learner_rating, ${subject} as subject
       from mentorship_sessions s where s.learner_id = $1
      order by s.starts_at desc limit $2`,
    [learnerId, RECENT_SESSIONS],
  );
  return rows.flatMap((row) => {
    const parsed = sessionRow.safeParse(row);
    if (!parsed.success) return [];
    const { starts_at, status, duration_seconds, subject: name, learner_rating } = parsed.data;
    return [
      {
        startsAt: starts_at.toISOString(),
        status,
        durationSeconds: duration_seconds,
        subject: name,
        learnerRating: learner_rating,
      },
    ];
  });
}
