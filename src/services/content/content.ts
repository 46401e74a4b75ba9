import { loadAggregate } from '../../commands/load-aggregate.ts';
import { brandAccessOf } from '../../domain/brands/brand-access.ts';
import { brandAggregate } from '../../domain/brands/brand-decider.ts';
import { brandStream } from '../../domain/brands/streams.ts';
import type { BrandFacts, ContentAccess, ContentUserCommand } from '../../domain/content/content-commands.ts';
import { contentAggregate } from '../../domain/content/content-decider.ts';
import { contentEventCatalogue } from '../../domain/content/content-events.ts';
import { versionOf } from '../../domain/content/content-state.ts';
import { contentStream } from '../../domain/content/streams.ts';
import { conflict, DomainError, notFound, validation } from '../../domain/shared/domain-error.ts';
import { StreamNotFound } from '../../eventstore/errors.ts';
import type { PublishingDeps } from '../publishing-deps.ts';
import { commandIdFor, envelope, execute, nowFrom, type RequestContext } from '../shared/command-context.ts';
import {
  approveInput,
  bulkArchiveInput,
  bulkUpdateInput,
  contentIdInput,
  createContentInput,
  publishInput,
  rejectInput,
  restoreVersionInput,
  unpublishInput,
  updateContentInput,
} from './inputs.ts';
import { sanitizeFields } from './rich-text.ts';

/**
 * Content use cases. A content decider sees only its own stream, so each use case first looks up
 * the caller's role on the content's brand (and the brand settings the command depends on) and
 * hands them in with the command.
 */
export async function createContent(deps: PublishingDeps, context: RequestContext, raw: unknown) {
  const parsed = createContentInput.parse(raw);
  const { input } = parsed;
  const commandId = commandIdFor(context, 'createContent', parsed);
  // The content id derives from the command id, so a retried creation finds what it made.
  const contentId = commandId;
  const { access, brand } = await brandContext(deps, context, input.brandId);
  await issue(deps, context, contentId, commandId, {
    type: 'CreateContent',
    contentId,
    brandId: input.brandId,
    contentType: input.type,
    templateId: input.templateId ?? null,
    title: input.title,
    fields: sanitizeFields(input.fields),
    ...(input.metadata ? { metadata: input.metadata } : {}),
    access,
    brand,
  });
  return contentId;
}

export async function updateContent(deps: PublishingDeps, context: RequestContext, raw: unknown) {
  const parsed = updateContentInput.parse(raw);
  const { id, input } = parsed;
  const { access } = await contentContext(deps, context, id);
  // expectedVersion is checked by the decider, on the state the edit is appended to: a check here
  // would pass two writers who read the same version, and would refuse a retried edit (same
  // idempotency key) that already landed instead of replaying it.
  await issue(deps, context, id, commandIdFor(context, `updateContent:${id}`, parsed), {
    type: 'UpdateContent',
    ...(input.title != null ? { title: input.title } : {}),
    ...(input.fields ? { fields: sanitizeFields(input.fields) } : {}),
    ...(input.metadata ? { metadata: input.metadata } : {}),
    ...(input.expectedVersion != null ? { expectedVersion: input.expectedVersion } : {}),
    access,
  });
  return id;
}

export async function restoreVersion(deps: PublishingDeps, context: RequestContext, raw: unknown) {
  const parsed = restoreVersionInput.parse(raw);
  const { id, version } = parsed;
  const { access, content } = await contentContext(deps, context, id);
  const operation = `restoreVersion:${id}:${version}`;
  // A version stored before values were sanitised is cleaned as it is copied: no new event holds
  // markup the sanitiser would refuse today.
  const old = versionOf(content, version);
  await issue(deps, context, id, commandIdFor(context, operation, parsed), {
    type: 'RestoreVersion',
    version,
    ...(old ? { fields: sanitizeFields(old.fields) } : {}),
    access,
  });
  return id;
}

export async function submitContent(deps: PublishingDeps, context: RequestContext, raw: unknown) {
  const parsed = contentIdInput.parse(raw);
  const { id } = parsed;
  const { access, brand } = await contentContext(deps, context, id);
  await issue(deps, context, id, commandIdFor(context, `submitContent:${id}`, parsed), {
    type: 'SubmitContent',
    access,
    brand,
  });
  return id;
}

export async function approveContent(deps: PublishingDeps, context: RequestContext, raw: unknown) {
  const parsed = approveInput.parse(raw);
  const { id, comment } = parsed;
  const { access } = await contentContext(deps, context, id);
  await issue(deps, context, id, commandIdFor(context, `approveContent:${id}`, parsed), {
    type: 'ApproveContent',
    comment: comment ?? null,
    access,
  });
  return id;
}

export async function rejectContent(deps: PublishingDeps, context: RequestContext, raw: unknown) {
  const parsed = rejectInput.parse(raw);
  const { id, reason } = parsed;
  const { access } = await contentContext(deps, context, id);
  await issue(deps, context, id, commandIdFor(context, `rejectContent:${id}`, parsed), {
    type: 'RejectContent',
    reason,
    access,
  });
  return id;
}

/** Records the request; the process manager starts the publishing saga from the event. */
export async function publishContent(deps: PublishingDeps, context: RequestContext, raw: unknown) {
  const parsed = publishInput.parse(raw);
  const { id, at } = parsed;
  const { access, brand } = await contentContext(deps, context, id);
  const commandId = commandIdFor(context, `publishContent:${id}`, parsed);
  await issue(deps, context, id, commandId, {
    type: 'RequestPublish',
    publicationId: commandId,
    publishAt: at ? new Date(at).toISOString() : null,
    access,
    brand,
  });
  return id;
}

export async function cancelPublish(deps: PublishingDeps, context: RequestContext, raw: unknown) {
  const parsed = contentIdInput.parse(raw);
  const { id } = parsed;
  const { access, content } = await contentContext(deps, context, id);
  const publicationId = content.publication?.publicationId;
  if (!publicationId) throw conflict('NOT_PUBLISHING', 'This content has no publication to cancel');
  await issue(deps, context, id, commandIdFor(context, `cancelPublish:${id}`, parsed), {
    type: 'CancelPublish',
    publicationId,
    access,
  });
  return id;
}

export async function unpublishContent(deps: PublishingDeps, context: RequestContext, raw: unknown) {
  const parsed = unpublishInput.parse(raw);
  const { id, reason } = parsed;
  const { access } = await contentContext(deps, context, id);
  await issue(deps, context, id, commandIdFor(context, `unpublishContent:${id}`, parsed), {
    type: 'UnpublishContent',
    reason: reason ?? null,
    access,
  });
  return id;
}

export async function archiveContent(deps: PublishingDeps, context: RequestContext, raw: unknown) {
  const parsed = contentIdInput.parse(raw);
  const { id } = parsed;
  const { access } = await contentContext(deps, context, id);
  await issue(deps, context, id, commandIdFor(context, `archiveContent:${id}`, parsed), {
    type: 'ArchiveContent',
    access,
  });
  return id;
}

export interface BulkFailure {
  id: string;
  code: string;
  /** The error's stable reason (`VERSION_MISMATCH`, `IN_REVIEW`, …). */
  reason: string;
  message: string;
}

/** Each content is archived on its own: one refusal does not hold back the others. */
export async function bulkArchiveContent(deps: PublishingDeps, context: RequestContext, raw: unknown) {
  const { ids } = bulkArchiveInput.parse(raw);
  const archived: string[] = [];
  const failed: BulkFailure[] = [];
  for (const id of new Set(ids)) {
    try {
      await archiveContent(deps, context, { id });
      archived.push(id);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      failed.push({ id, code: error.code, reason: error.reason, message: error.message });
    }
  }
  return { archived, failed };
}

/**
 * Each edit is its own command (its own idempotency key, its own outcome): one refusal does not
 * hold back the others, and a retried call replays the items that carried a key. The version an
 * item expects may be given on the item or in its input; given in both, they must agree.
 */
export async function bulkUpdateContent(deps: PublishingDeps, context: RequestContext, raw: unknown) {
  const { items } = bulkUpdateInput.parse(raw);
  const updated: string[] = [];
  const failed: BulkFailure[] = [];
  for (const { id, expectedVersion, input, idempotencyKey } of items) {
    try {
      const inInput = input.expectedVersion ?? undefined;
      if (expectedVersion != null && inInput !== undefined && expectedVersion !== inInput) {
        throw validation('EXPECTED_VERSION_MISMATCH', 'The item and its input expect different versions', {
          item: expectedVersion,
          input: inInput,
        });
      }
      const expected = expectedVersion ?? inInput;
      await updateContent(deps, context, {
        id,
        input: { ...input, ...(expected === undefined ? {} : { expectedVersion: expected }) },
        idempotencyKey,
      });
      updated.push(id);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      failed.push({ id, code: error.code, reason: error.reason, message: error.message });
    }
  }
  return { updated, failed };
}

async function issue(
  deps: PublishingDeps,
  context: RequestContext,
  contentId: string,
  commandId: string,
  command: ContentUserCommand,
) {
  return execute(
    deps,
    contentAggregate,
    contentStream(contentId),
    envelope(context, commandId, nowFrom(deps), command),
  );
}

/** The caller's role on a brand and the brand settings content commands depend on. */
async function brandContext(
  deps: PublishingDeps,
  context: RequestContext,
  brandId: string,
): Promise<{ access: ContentAccess; brand: BrandFacts }> {
  const { state } = await loadAggregate(deps, brandAggregate, brandStream(brandId));
  if (state.status === 'none') throw notFound('BRAND_NOT_FOUND', 'No such brand');
  return {
    access: { role: brandAccessOf(state, context.actor), brandArchived: state.status === 'archived' },
    brand: {
      allowedContentTypes: state.allowedContentTypes,
      workflow: state.workflow,
      channels: state.channels,
    },
  };
}

/** The content as it stands and the caller's access to its brand. */
async function contentContext(deps: PublishingDeps, context: RequestContext, contentId: string) {
  const { state: content } = await loadAggregate(deps, contentAggregate, contentStream(contentId));
  if (content.status === 'none') throw notFound('CONTENT_NOT_FOUND', 'No such content');
  return { content, ...(await brandContext(deps, context, content.brandId)) };
}

/** Which brand a content belongs to, from its first event (cheaper than folding the stream). */
export async function brandOfContent(deps: PublishingDeps, contentId: string): Promise<string | undefined> {
  try {
    const [first] = await deps.store.readStream(contentStream(contentId), { maxCount: 1 });
    const decoded = first && (await deps.codec.decode(contentEventCatalogue, first));
    return decoded?.event.type === 'ContentCreated' ? decoded.event.data.brandId : undefined;
  } catch (error) {
    if (error instanceof StreamNotFound) return undefined;
    throw error;
  }
}
