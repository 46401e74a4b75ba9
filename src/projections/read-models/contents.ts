import type { EventCodec } from '../../commands/event-codec.ts';
import { type ContentEvent, contentEventCatalogue } from '../../domain/content/content-events.ts';
import { type ContentFields, fieldTexts } from '../../domain/content/content-values.ts';
import type { Projection, ReadModelWriter, Row } from '../projection.ts';
import { occurredAt } from './occurred-at.ts';

/**
 * What a search document holds of the fields: PostgreSQL refuses a tsvector over 1 MB, and the
 * first 100,000 characters are what anyone searches for anyway.
 */
const SEARCHED_FIELD_CHARS = 100_000;

/**
 * Contents as lists, details and search see them, every version, the approval workflow's progress
 * and each publication's saga progress, with each channel's delivery (state, attempts, last error).
 * The search document is a generated column (title weighted
 * above fields, English stemming) with a GIN index; titles also have a trigram GiST index for suggestions.
 */
export function contentsProjection(codec: Pick<EventCodec, 'decode'>): Projection {
  return {
    name: 'contents',
    // 3: publication channels carry their delivery (delivering/delivered/failed, attempts, last error).
    // 4: fields are a list of { key, value } in the author's order (a key → text record before).
    // 5: every status change is kept (content_status_changes), and an edit sends content to draft.
    version: 5,
    eventTypes: Object.keys(contentEventCatalogue),
    tables: {
      contents: {
        columns: `content_id uuid not null, brand_id uuid not null, type text not null, template_id text,
          title text not null, fields jsonb not null, fields_text text not null, metadata jsonb not null,
          status text not null, version int not null, created_by uuid not null,
          created_at timestamptz not null, updated_at timestamptz not null, published_at timestamptz,
          publication_id uuid, rejection_reason text, compliance_issues jsonb, publish_failure jsonb,
          feed_listed boolean not null default false,
          search_document tsvector generated always as (
            setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', fields_text), 'B')
          ) stored`,
        primaryKey: ['content_id'],
        indexes: [
          '(brand_id, updated_at desc, content_id desc)',
          '(brand_id, status, updated_at desc, content_id desc)',
          '(brand_id, published_at desc) where feed_listed',
          'using gin (search_document)',
          // GiST, not GIN: suggestions walk titles nearest the query first (KNN, `<->`) and stop.
          'using gist (title gist_trgm_ops)',
        ],
      },
      // One row per status change, in log order: `contentStatusChanged` delivers each of them, even
      // several changes of one content between two reads (the contents row keeps only the last).
      content_status_changes: {
        columns: `position bigint not null, brand_id uuid not null, content_id uuid not null,
          status text not null, version int not null, changed_at timestamptz not null`,
        // brand_id first: the subscription reads a brand's changes after a position, in order.
        primaryKey: ['brand_id', 'position'],
      },
      content_versions: {
        columns: `content_id uuid not null, version int not null, title text not null, fields jsonb not null,
          metadata jsonb not null, author_id text not null, restored_from int, created_at timestamptz not null`,
        primaryKey: ['content_id', 'version'],
      },
      content_reviews: {
        columns: `content_id uuid not null, version int not null, state text not null, steps jsonb not null,
          current_step int, submitted_by text not null, submitted_at timestamptz not null,
          decided_at timestamptz`,
        primaryKey: ['content_id'],
      },
      content_publications: {
        columns: `publication_id uuid not null, content_id uuid not null, brand_id uuid not null,
          version int not null, state text not null, requested_by text not null,
          requested_at timestamptz not null, publish_at timestamptz, steps jsonb not null,
          channels jsonb not null, failure_stage text, failure_reasons jsonb, finished_at timestamptz,
          updated_at timestamptz not null`,
        // content_id first: change notifications then name the content, which subscriptions match on.
        primaryKey: ['content_id', 'publication_id'],
        indexes: ['(content_id, requested_at desc)'],
      },
    },
    // A batch's contents in one query: a status change reads the row it changes (every content
    // event names its content; the id is never encrypted).
    prefetch: (events) =>
      [...new Set(events.map((e) => (e.data as { contentId?: unknown }).contentId))]
        .filter((contentId): contentId is string => typeof contentId === 'string')
        .map((content_id) => ({ table: 'contents', key: { content_id } })),
    async apply(recorded, writer) {
      const decoded = await codec.decode(contentEventCatalogue, recorded);
      if (decoded) await applyContentEvent(decoded.event, writer, occurredAt(recorded), recorded.position);
    },
  };
}

function fieldsText(fields: ContentFields): string {
  return fieldTexts(fields).join('\n').slice(0, SEARCHED_FIELD_CHARS);
}

async function applyContentEvent(
  event: ContentEvent,
  writer: ReadModelWriter,
  at: string,
  position: bigint,
): Promise<void> {
  const content = { content_id: event.data.contentId };
  const update = async (changes: Row) => {
    if (typeof changes.status === 'string') await recordStatus(writer, content, changes, position, at);
    return writer.update('contents', content, { ...changes, updated_at: at });
  };
  switch (event.type) {
    case 'ContentCreated': {
      const { contentId, brandId, type, templateId, title, fields, metadata, authorId } = event.data;
      writer.upsert('contents', {
        content_id: contentId,
        brand_id: brandId,
        type,
        template_id: templateId,
        title,
        fields,
        fields_text: fieldsText(fields),
        metadata,
        status: 'draft',
        version: 1,
        created_by: authorId,
        created_at: at,
        updated_at: at,
        feed_listed: false,
      });
      writer.upsert('content_status_changes', {
        position: position.toString(),
        brand_id: brandId,
        content_id: contentId,
        status: 'draft',
        version: 1,
        changed_at: at,
      });
      writeVersion(writer, { ...event.data, version: 1, restoredFrom: null }, at);
      return;
    }
    case 'ContentUpdated': {
      const { title, fields, metadata, version } = event.data;
      writeVersion(writer, event.data, at);
      // Every edit is a draft again (an approved content must be reviewed anew), as in the domain.
      return update({ title, fields, fields_text: fieldsText(fields), metadata, version, status: 'draft' });
    }
    case 'ContentSubmitted': {
      const { version, submittedBy, steps } = event.data;
      writer.upsert('content_reviews', {
        ...content,
        version,
        state: 'in_review',
        steps: steps.map((step) => ({ ...step, state: 'pending', by: null, at: null, comment: null })),
        current_step: steps.length > 0 ? 0 : null,
        submitted_by: submittedBy,
        submitted_at: at,
      });
      return update({ status: 'in_review', rejection_reason: null, compliance_issues: null });
    }
    case 'ContentStepApproved': {
      const { step, approvedBy, comment } = event.data;
      return updateReview(writer, content, (review) => ({
        steps: markStep(review.steps, step, { state: 'approved', by: approvedBy, at, comment }),
        current_step: step + 1,
      }));
    }
    case 'ContentApproved':
      await updateReview(writer, content, () => ({ state: 'approved', current_step: null, decided_at: at }));
      return update({ status: 'approved' });
    case 'ContentRejected': {
      const { step, rejectedBy, reason } = event.data;
      await updateReview(writer, content, (review) => ({
        state: 'rejected',
        steps: markStep(review.steps, step, { state: 'rejected', by: rejectedBy, at, comment: reason }),
        current_step: null,
        decided_at: at,
      }));
      return update({ status: 'draft', rejection_reason: reason });
    }
    case 'ContentPublishRequested': {
      const { publicationId, version, requestedBy, publishAt, channels } = event.data;
      const scheduled = publishAt !== null && Date.parse(publishAt) > Date.parse(at);
      const row = await writer.get('contents', content);
      writer.upsert('content_publications', {
        publication_id: publicationId,
        ...content,
        brand_id: row?.brand_id,
        version,
        state: scheduled ? 'scheduled' : 'publishing',
        requested_by: requestedBy,
        requested_at: at,
        publish_at: publishAt,
        steps: [],
        channels: channels.map((channel) => ({
          channelId: channel.channelId,
          kind: channel.kind,
          state: 'pending',
          location: null,
          attempts: 0,
          lastError: null,
          lastAttemptAt: null,
        })),
        updated_at: at,
      });
      return update({
        status: scheduled ? 'scheduled' : 'publishing',
        publication_id: publicationId,
        publish_failure: null,
      });
    }
    case 'ContentPublishCancelled':
      await updatePublication(writer, event.data, at, () => ({ state: 'cancelled', finished_at: at }));
      return update({ status: 'approved' });
    case 'ContentPublishStarted':
      await updatePublication(writer, event.data, at, () => ({ state: 'publishing' }));
      return update({ status: 'publishing' });
    case 'ContentPublishStepRecorded': {
      const { step, outcome, detail } = event.data;
      return updatePublication(writer, event.data, at, (publication) => ({
        steps: [...(publication.steps as unknown[]), { step, outcome, detail, at }],
      }));
    }
    case 'ContentMetadataGenerated':
    case 'ContentMetadataReverted':
      return update({ metadata: event.data.metadata });
    case 'ContentChannelDeliveryAttempted': {
      const { channelId, attempt, failure } = event.data;
      return updatePublication(writer, event.data, at, (publication) => ({
        channels: changeChannel(publication.channels, channelId, (channel) => ({
          // An attempt reporting after its channel settled changes what is known of the attempts only.
          state: SETTLED.includes(String(channel.state))
            ? channel.state
            : failure
              ? 'delivering'
              : 'delivered',
          attempts: Math.max(Number(channel.attempts ?? 0), attempt),
          lastError: failure ?? channel.lastError ?? null,
          lastAttemptAt: at,
        })),
      }));
    }
    case 'ContentChannelFailed': {
      const { channelId, failure } = event.data;
      return updatePublication(writer, event.data, at, (publication) => ({
        channels: changeChannel(publication.channels, channelId, (channel) => ({
          state: 'failed',
          lastError: failure,
          lastAttemptAt: channel.lastAttemptAt ?? at,
        })),
      }));
    }
    case 'ContentChannelPublished': {
      const { channelId, kind, location } = event.data;
      await updatePublication(writer, event.data, at, (publication) => ({
        // A feed is listed in one go; a webhook's attempts were counted as they ended (at least this one).
        channels: changeChannel(publication.channels, channelId, (channel) => ({
          state: 'delivered',
          location,
          attempts: Math.max(Number(channel.attempts ?? 0), 1),
          lastAttemptAt: channel.lastAttemptAt ?? at,
        })),
      }));
      return kind === 'feed' ? update({ feed_listed: true }) : undefined;
    }
    case 'ContentChannelUnpublished': {
      const { channelId, kind } = event.data;
      await updatePublication(writer, event.data, at, (publication) => ({
        channels: markChannel(publication.channels, channelId, { state: 'unpublished' }),
      }));
      return kind === 'feed' ? update({ feed_listed: false }) : undefined;
    }
    case 'ContentStakeholdersNotified':
      return;
    case 'ContentPublished':
      await updatePublication(writer, event.data, at, () => ({ state: 'published', finished_at: at }));
      return update({ status: 'published', published_at: event.data.publishedAt });
    case 'ContentPublishFailed': {
      const { stage, reasons } = event.data;
      await updatePublication(writer, event.data, at, () => ({
        state: 'failed',
        failure_stage: stage,
        failure_reasons: reasons,
        finished_at: at,
      }));
      return update({
        status: stage === 'channels' ? 'approved' : 'draft',
        publish_failure: { stage, reasons, at },
        ...(stage === 'compliance' ? { compliance_issues: reasons } : {}),
      });
    }
    case 'ContentUnpublished':
      return update({ status: 'approved', published_at: null, feed_listed: false });
    case 'ContentArchived':
      return update({ status: 'archived', feed_listed: false });
  }
}

/**
 * A status change as it happens, in log order, when the status really changes: an event that
 * leaves it as it was (the saga starting a publication already publishing) is no change.
 */
async function recordStatus(
  writer: ReadModelWriter,
  key: Row,
  changes: Row,
  position: bigint,
  at: string,
): Promise<void> {
  const row = await writer.get('contents', key);
  if (!row || row.status === changes.status) return;
  writer.upsert('content_status_changes', {
    position: position.toString(),
    brand_id: row.brand_id,
    content_id: row.content_id,
    status: changes.status,
    version: changes.version ?? row.version,
    changed_at: at,
  });
}

interface VersionFacts {
  contentId: string;
  version: number;
  title: string;
  fields: ContentFields;
  metadata: unknown;
  authorId: string;
  restoredFrom: number | null;
}

function writeVersion(writer: ReadModelWriter, facts: VersionFacts, at: string): void {
  writer.upsert('content_versions', {
    content_id: facts.contentId,
    version: facts.version,
    title: facts.title,
    fields: facts.fields,
    metadata: facts.metadata,
    author_id: facts.authorId,
    restored_from: facts.restoredFrom,
    created_at: at,
  });
}

async function updateReview(writer: ReadModelWriter, key: Row, change: (review: Row) => Row): Promise<void> {
  const review = await writer.get('content_reviews', key);
  if (review) await writer.update('content_reviews', key, change(review));
}

async function updatePublication(
  writer: ReadModelWriter,
  ids: { contentId: string; publicationId: string },
  at: string,
  change: (publication: Row) => Row,
): Promise<void> {
  const key = { content_id: ids.contentId, publication_id: ids.publicationId };
  const publication = await writer.get('content_publications', key);
  if (publication)
    await writer.update('content_publications', key, { ...change(publication), updated_at: at });
}

function markStep(steps: unknown, index: number, outcome: Row): Row[] {
  return (steps as Row[]).map((step, i) => (i === index ? { ...step, ...outcome } : step));
}

function markChannel(channels: unknown, channelId: string, change: Row): Row[] {
  return changeChannel(channels, channelId, () => change);
}

function changeChannel(channels: unknown, channelId: string, change: (channel: Row) => Row): Row[] {
  return (channels as Row[]).map((channel) =>
    channel.channelId === channelId ? { ...channel, ...change(channel) } : channel,
  );
}

/** Channel states no later attempt report changes. */
const SETTLED = ['delivered', 'failed', 'unpublished'];
