import { z } from 'zod';
import { deepEqual, validOr } from '../brands/validate.ts';
import type { DecisionContext } from '../shared/decider.ts';
import { conflict, notFound, validation } from '../shared/domain-error.ts';
import type { ContentUserCommand } from './content-commands.ts';
import type { ContentEvent } from './content-events.ts';
import { admit, admitTo, requireEditable, requireRole } from './content-policy.ts';
import { type Content, type ContentState, currentVersion, versionOf } from './content-state.ts';
import {
  type ContentFields,
  type ContentMetadata,
  contentMetadata,
  contentTitle,
  contentTypeRef,
  EMPTY_METADATA,
  MAX_FIELD_KEY_LENGTH,
  MAX_FIELD_VALUE_LENGTH,
  MAX_FIELDS,
  templateRef,
} from './content-values.ts';

type CommandOf<Type extends ContentUserCommand['type']> = Extract<ContentUserCommand, { type: Type }>;

export function createContent(
  command: CommandOf<'CreateContent'>,
  state: ContentState,
  { actor }: DecisionContext,
): ContentEvent[] {
  const { by, role } = admit(command.access, actor);
  requireRole(role, 'editor', 'create content');
  if (state.status !== 'none') throw conflict('CONTENT_EXISTS', 'This content already exists');
  const type = validOr(contentTypeRef, command.contentType, 'INVALID_CONTENT_TYPE', 'content type');
  if (!command.brand.allowedContentTypes.includes(type)) {
    throw validation('CONTENT_TYPE_NOT_ALLOWED', `The brand does not allow content of type ${type}`, {
      allowed: [...command.brand.allowedContentTypes],
    });
  }
  const templateId = validOr(
    templateRef.nullable(),
    command.templateId ?? null,
    'INVALID_TEMPLATE',
    'template',
  );
  const draft = validDraft({
    title: command.title,
    fields: command.fields ?? [],
    metadata: command.metadata ?? EMPTY_METADATA,
  });
  return [
    {
      type: 'ContentCreated',
      data: {
        contentId: command.contentId,
        brandId: command.brandId,
        type,
        templateId,
        ...draft,
        authorId: by,
        version: 1,
      },
    },
  ];
}

/** A new version: the parts given replace the current ones. Changing nothing decides nothing. */
export function updateContent(
  command: CommandOf<'UpdateContent'>,
  content: Content,
  { actor }: DecisionContext,
): ContentEvent[] {
  const { by, role } = admitTo(content, command.access, actor);
  requireRole(role, 'editor', 'edit content');
  requireEditable(content);
  // Checked here, on the state the new version is appended to: a check before the command would
  // pass for two writers who read the same version, and the second would overwrite the first.
  if (command.expectedVersion !== undefined && content.version !== command.expectedVersion) {
    throw conflict(
      'VERSION_MISMATCH',
      `The content is at version ${content.version}, not ${command.expectedVersion}`,
      { currentVersion: content.version },
    );
  }
  const current = live(content);
  const next = validDraft({
    title: command.title ?? current.title,
    fields: command.fields ?? current.fields,
    metadata: command.metadata ?? current.metadata,
  });
  return newVersion(content, current, next, by, null);
}

/** A new version copying an old one; the old one stays as it was. */
export function restoreVersion(
  command: CommandOf<'RestoreVersion'>,
  content: Content,
  { actor }: DecisionContext,
): ContentEvent[] {
  const { by, role } = admitTo(content, command.access, actor);
  requireRole(role, 'editor', 'restore a version');
  requireEditable(content);
  const old = versionOf(content, command.version);
  if (!old) throw notFound('VERSION_NOT_FOUND', `This content has no version ${command.version}`);
  const { title, metadata } = old;
  const fields = command.fields ? validFields(command.fields) : old.fields;
  return newVersion(content, live(content), { title, fields, metadata }, by, old.version);
}

export function archiveContent(
  command: CommandOf<'ArchiveContent'>,
  content: Content,
  { actor }: DecisionContext,
): ContentEvent[] {
  const { by, role } = admitTo(content, command.access, actor);
  requireRole(role, 'editor', 'archive content');
  if (content.status === 'scheduled' || content.status === 'publishing') {
    throw conflict('PUBLICATION_IN_PROGRESS', 'Content being published cannot be archived; cancel first');
  }
  if (content.status === 'published') {
    throw conflict('CONTENT_PUBLISHED', 'Published content cannot be archived; unpublish it first');
  }
  return [{ type: 'ContentArchived', data: { contentId: content.contentId, archivedBy: by } }];
}

interface Draft {
  title: string;
  fields: ContentFields;
  metadata: ContentMetadata;
}

/** What an edit starts from: the current version, with the live metadata (publishing may have generated it). */
function live(content: Content): Draft {
  const current = currentVersion(content);
  if (!current) throw new Error(`Content ${content.contentId} has no version ${content.version}`);
  return { title: current.title, fields: current.fields, metadata: content.metadata };
}

function newVersion(
  content: Content,
  current: Draft,
  next: Draft,
  by: string,
  restoredFrom: number | null,
): ContentEvent[] {
  if (deepEqual(current, next)) return [];
  return [
    {
      type: 'ContentUpdated',
      data: {
        contentId: content.contentId,
        version: content.version + 1,
        ...next,
        authorId: by,
        restoredFrom,
      },
    },
  ];
}

function validDraft(draft: Draft): Draft {
  return {
    title: validOr(contentTitle, draft.title, 'INVALID_TITLE', 'title'),
    fields: validFields(draft.fields),
    metadata: validOr(contentMetadata, draft.metadata, 'INVALID_METADATA', 'metadata'),
  };
}

const anyFields = z.array(z.object({ key: z.string(), value: z.string() }));

/** Fields refused with a reason naming the limit they break; their order is kept as given. */
function validFields(value: unknown): ContentFields {
  const fields = validOr(anyFields, value, 'INVALID_FIELDS', 'fields');
  if (fields.length > MAX_FIELDS) {
    throw validation('TOO_MANY_FIELDS', `At most ${MAX_FIELDS} fields`, { count: fields.length });
  }
  const badKey = fields.find(({ key }) => key.length === 0 || key.length > MAX_FIELD_KEY_LENGTH);
  if (badKey) {
    throw validation('INVALID_FIELD_KEY', `A field name is 1 to ${MAX_FIELD_KEY_LENGTH} characters`, {
      key: badKey.key,
    });
  }
  const keys = fields.map(({ key }) => key);
  const repeated = keys.find((key, index) => keys.indexOf(key) !== index);
  if (repeated !== undefined) {
    throw validation('DUPLICATE_FIELD_KEY', 'Each field name appears once', { key: repeated });
  }
  const tooLong = fields.find(({ value: text }) => text.length > MAX_FIELD_VALUE_LENGTH);
  if (tooLong) {
    throw validation('FIELD_TOO_LONG', `A field holds at most ${MAX_FIELD_VALUE_LENGTH} characters`, {
      key: tooLong.key,
    });
  }
  return fields.map(({ key, value: text }) => ({ key, value: text }));
}
