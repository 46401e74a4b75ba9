import { type MentorPersona, personaDefinition } from './personas.ts';

/**
 * What the AI mentor is told, assembled from the learner's profile, their recent mentorship
 * sessions and the conversation so far, and held to a hard size bound (in characters, which every
 * model's context limit comfortably exceeds at this size). Pure: the service reads the facts.
 */
export const DEFAULT_CONTEXT_CHARS = 12_000;
/** The learner and session facts never take more than this share of the bound. */
const FACTS_SHARE = 0.25;
const MAX_GOALS = 10;
const MAX_GOAL_CHARS = 300;

export interface LearnerFacts {
  /** Null once the learner was forgotten (or never set). */
  goals: readonly string[] | null;
  subjects: readonly string[];
  preferredStyle: string | null;
  languages: readonly string[];
  timeZone: string | null;
}

export interface RecentSessionFacts {
  startsAt: string;
  status: string;
  durationSeconds: number | null;
  subject: string | null;
  /** The learner's rating of the session (1..5), if they gave one. */
  learnerRating: number | null;
}

export interface ConversationTurn {
  role: 'learner' | 'mentor';
  text: string;
}

export interface MentorContextInput {
  persona: MentorPersona;
  learner: LearnerFacts | null;
  /** Newest first. */
  sessions: readonly RecentSessionFacts[];
  /** Oldest first, ending with the learner's message the reply answers. */
  history: readonly ConversationTurn[];
  maxChars?: number;
}

export interface MentorContext {
  system: string;
  messages: { role: 'user' | 'assistant'; content: string }[];
  /** Older turns left out to stay within the bound. */
  droppedTurns: number;
  /** The system prompt's and the messages' characters together: never above the bound. */
  chars: number;
}

/**
 * The persona's prompt and the facts form the system message; then as many of the latest turns as
 * fit, the oldest dropped first. The learner's last message is always sent (cut if it alone would
 * break the bound), and the total never exceeds `maxChars`.
 */
export function assembleMentorContext(input: MentorContextInput): MentorContext {
  const maxChars = input.maxChars ?? DEFAULT_CONTEXT_CHARS;
  const persona = personaDefinition(input.persona).systemPrompt;
  const facts = clip(
    [learnerSection(input.learner), sessionsSection(input.sessions)].filter(Boolean).join('\n\n'),
    Math.floor(maxChars * FACTS_SHARE),
  );
  const system = clip(facts ? `${persona}\n\n${facts}` : persona, Math.floor(maxChars / 2));
  let budget = maxChars - system.length;
  const kept: MentorContext['messages'] = [];
  const turns = [...input.history];
  for (let index = turns.length - 1; index >= 0; index--) {
    const turn = turns[index];
    if (!turn) continue;
    const newest = kept.length === 0;
    const content = newest ? clip(turn.text, budget) : turn.text;
    if (content.length > budget || content.length === 0) break;
    kept.unshift({ role: turn.role === 'learner' ? 'user' : 'assistant', content });
    budget -= content.length;
  }
  return {
    system,
    messages: kept,
    droppedTurns: turns.length - kept.length,
    chars: maxChars - budget,
  };
}

function learnerSection(learner: LearnerFacts | null): string {
  if (!learner) return 'About the learner: no profile yet. Ask about their goals before giving a plan.';
  const goals = (learner.goals ?? []).slice(0, MAX_GOALS).map((goal) => `- ${clip(goal, MAX_GOAL_CHARS)}`);
  return [
    'About the learner (from their profile):',
    goals.length > 0 ? `Goals:\n${goals.join('\n')}` : 'Goals: none given',
    `Subjects they want to learn: ${listOr(learner.subjects)}`,
    `Preferred teaching style: ${learner.preferredStyle ?? 'not given'}`,
    `Languages: ${listOr(learner.languages)}`,
    learner.timeZone ? `Time zone: ${learner.timeZone}` : undefined,
  ]
    .filter((line) => line !== undefined)
    .join('\n');
}

function sessionsSection(sessions: readonly RecentSessionFacts[]): string {
  if (sessions.length === 0) return '';
  const lines = sessions.map((session) => {
    const parts = [
      session.startsAt.slice(0, 10),
      session.subject ?? undefined,
      session.status,
      session.durationSeconds !== null ? `${Math.round(session.durationSeconds / 60)} min` : undefined,
      session.learnerRating !== null ? `rated ${session.learnerRating}/5 by the learner` : undefined,
    ];
    return `- ${parts.filter((part) => part !== undefined).join(', ')}`;
  });
  return `Their recent mentorship sessions with human mentors (newest first):\n${lines.join('\n')}`;
}

const listOr = (items: readonly string[]) => (items.length > 0 ? items.join(', ') : 'not given');

/** At most `max` characters, cut with an ellipsis. */
function clip(text: string, max: number): string {
  if (max <= 0) return '';
  if (text.length <= max) return text;
  return `${text.slice(0, Math.max(0, max - 1))}…`;
}
