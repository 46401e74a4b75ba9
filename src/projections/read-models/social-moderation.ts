import type { EventCodec } from '../../commands/event-codec.ts';
import { type ModerationEvent, moderationEventCatalogue } from '../../domain/social/moderation-events.ts';
import type { Projection, ReadModelWriter } from '../projection.ts';
import { occurredAt } from './occurred-at.ts';

/**
 * Moderation as readers need it.
 *
 * `social_hidden` is what every list of videos and comments anti-joins: a row per piece of content
 * that is held by the text check or hidden by a moderator, with the reason its author is told.
 * Restoring deletes the row, so "not hidden" is "no row" and the anti-join stays on the primary key.
 *
 * `social_moderation_cases` is the moderators' queue and the authors' notices: per piece of content
 * its open reports (counted per reason), whether it is held, and the last decision. `queued` is
 * true while there is something nobody has decided on.
 */
export function socialModerationProjection(codec: Pick<EventCodec, 'decode'>): Projection {
  return {
    name: 'social_moderation',
    version: 1,
    eventTypes: Object.keys(moderationEventCatalogue),
    tables: {
      social_hidden: {
        columns: `target_kind text not null, target_id uuid not null, hidden_at timestamptz not null,
          reason text not null`,
        primaryKey: ['target_kind', 'target_id'],
      },
      social_moderation_cases: {
        columns: `target_kind text not null, target_id uuid not null, author_id uuid not null,
          visibility text not null, open_reports int not null, reasons jsonb not null,
          held_categories jsonb, queued boolean not null, queued_at timestamptz,
          decided_by text, decided_at timestamptz, decision text, decision_reason text,
          updated_at timestamptz not null`,
        primaryKey: ['target_kind', 'target_id'],
        indexes: ['(queued_at, target_id) where queued', '(author_id, updated_at desc)'],
      },
    },
    async apply(recorded, writer) {
      const decoded = await codec.decode(moderationEventCatalogue, recorded);
      if (decoded) await applyModerationEvent(decoded.event, writer, occurredAt(recorded));
    },
  };
}

async function applyModerationEvent(event: ModerationEvent, writer: ReadModelWriter, at: string) {
  const { targetKind, targetId, authorId } = event.data;
  const key = { target_kind: targetKind, target_id: targetId };
  const existing = await writer.get('social_moderation_cases', key);
  const current = existing ?? {
    ...key,
    author_id: authorId,
    visibility: 'visible',
    open_reports: 0,
    reasons: {},
    held_categories: null,
    queued: false,
    queued_at: null,
    decided_by: null,
    decided_at: null,
    decision: null,
    decision_reason: null,
    updated_at: at,
  };
  const enqueue = { queued: true, queued_at: current.queued ? current.queued_at : at };
  const decided = (decision: string, by: string, reason: string | null) => ({
    open_reports: 0,
    reasons: {},
    queued: false,
    queued_at: null,
    decided_by: by,
    decided_at: at,
    decision,
    decision_reason: reason,
  });
  switch (event.type) {
    case 'ContentReported': {
      const reasons = { ...reasonCounts(current.reasons) };
      reasons[event.data.reason] = (reasons[event.data.reason] ?? 0) + 1;
      writer.upsert('social_moderation_cases', {
        ...current,
        ...enqueue,
        open_reports: Number(current.open_reports) + 1,
        reasons,
        updated_at: at,
      });
      return;
    }
    case 'ContentHeldForReview': {
      const reason = `Held for review by the automatic text check (${event.data.categories.join(', ')})`;
      writer.upsert('social_hidden', { ...key, hidden_at: at, reason });
      writer.upsert('social_moderation_cases', {
        ...current,
        ...enqueue,
        visibility: 'held',
        held_categories: event.data.categories,
        updated_at: at,
      });
      return;
    }
    case 'ContentHidden':
      writer.upsert('social_hidden', { ...key, hidden_at: at, reason: event.data.reason });
      writer.upsert('social_moderation_cases', {
        ...current,
        ...decided('hidden', event.data.moderatorId, event.data.reason),
        visibility: 'hidden',
        updated_at: at,
      });
      return;
    case 'ContentRestored':
      writer.delete('social_hidden', key);
      writer.upsert('social_moderation_cases', {
        ...current,
        ...decided('restored', event.data.moderatorId, null),
        visibility: 'visible',
        held_categories: null,
        updated_at: at,
      });
      return;
    case 'ReportsDismissed':
      writer.upsert('social_moderation_cases', {
        ...current,
        ...decided('dismissed', event.data.moderatorId, null),
        updated_at: at,
      });
      return;
  }
}

/** The jsonb column as read back: counts per reason. */
function reasonCounts(value: unknown): Record<string, number> {
  if (typeof value !== 'object' || value === null) return {};
  return Object.fromEntries(
    Object.entries(value).filter((entry): entry is [string, number] => typeof entry[1] === 'number'),
  );
}
