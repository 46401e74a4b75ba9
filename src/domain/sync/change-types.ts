import { z } from 'zod';

/**
 * What an offline device may push in a sync, one row per change type: the entity it changes, the
 * conflict rule that settles it when the entity moved on while the device was offline (see
 * conflict-rules.ts), and the shape of its payload. Adding a type here is adding a row; the
 * service's appliers, the docs' table and the hostile-input suite all read this one.
 */
export const CONFLICT_RULES = [
  /** The later client time wins the whole value; a passed checkpoint is final. */
  'lastWriteWinsByClientTime',
  /** Each field on its own: the later client time wins that field. */
  'lastWriteWinsPerField',
  /** Progress only advances: the server keeps the maximum. */
  'serverWinsMaximum',
  /** Re-decided against the server's state; what it refuses is dropped and the person told. */
  'serverWinsWithNotice',
  /** Left for the person to settle (`resolveSyncConflict`): nobody's words are overwritten. */
  'manualResolution',
  /** Appends never conflict (a message sent offline is a new message). */
  'appendOnly',
] as const;
export type ConflictRule = (typeof CONFLICT_RULES)[number];

/** The kinds of entity a device keeps a copy of, as the feed names them. */
export const SYNC_ENTITY_TYPES = [
  'profile',
  'moduleProgress',
  'checkpointAnswer',
  'membership',
  'communityPost',
  'chatMessage',
  'syncConflict',
  /** Not an entity: a record telling every device in a scope to drop it (erasure). */
  'scope',
] as const;
export type SyncEntityType = (typeof SYNC_ENTITY_TYPES)[number];

const uuid = z.uuid();
const text = (max: number) => z.string().trim().min(1).max(max);

/** Payloads are strict: a key the type does not know is refused, never silently dropped. */
export const checkpointAnswerPayload = z.strictObject({
  answers: z
    .array(
      z.strictObject({
        questionId: z.string().min(1).max(40),
        choices: z.array(z.string().min(1).max(40)).max(20).nullish(),
        text: z.string().max(5_000).nullish(),
      }),
    )
    .max(50),
});
export const moduleProgressPayload = z.strictObject({ percent: z.number().int().min(0).max(100) });
export const profilePayload = z
  .strictObject({ displayName: text(100).optional(), bio: z.string().max(2_000).nullable().optional() })
  .refine((value) => value.displayName !== undefined || value.bio !== undefined, {
    message: 'Change at least one field',
  });
export const emptyPayload = z.strictObject({});
export const replyPayload = z.strictObject({ body: text(10_000) });
export const postEditPayload = z.strictObject({ title: text(200).nullish(), body: text(10_000) });
export const chatMessagePayload = z.strictObject({ text: text(4_000) });

export interface SyncChangeTypeSpec {
  rule: ConflictRule;
  /** The entity `entityId` names and `baseVersion` is a version of. */
  entity: SyncEntityType;
  /** What `entityId` must be. */
  entityId: z.ZodType<string>;
  payload: z.ZodType<Record<string, unknown>>;
}

export const SYNC_CHANGE_TYPES = {
  /** Answers to a checkpoint (entity: the checkpoint), submitted as an attempt. */
  'checkpoint.answer': {
    rule: 'lastWriteWinsByClientTime',
    entity: 'checkpointAnswer',
    entityId: uuid,
    payload: checkpointAnswerPayload,
  },
  /** How far through a module the learner is (entity: the module); 100 completes it. */
  'module.progress': {
    rule: 'serverWinsMaximum',
    entity: 'moduleProgress',
    entityId: uuid,
    payload: moduleProgressPayload,
  },
  /** The person's own profile (entity: their user id). */
  'profile.update': {
    rule: 'lastWriteWinsPerField',
    entity: 'profile',
    entityId: uuid,
    payload: profilePayload,
  },
  'community.join': {
    rule: 'serverWinsWithNotice',
    entity: 'membership',
    entityId: uuid,
    payload: emptyPayload,
  },
  'community.leave': {
    rule: 'serverWinsWithNotice',
    entity: 'membership',
    entityId: uuid,
    payload: emptyPayload,
  },
  /** A reply to a post (entity: the post answered). */
  'community.reply': {
    rule: 'serverWinsWithNotice',
    entity: 'communityPost',
    entityId: uuid,
    payload: replyPayload,
  },
  /** Marking a reply helpful (entity: the reply). */
  'community.markHelpful': {
    rule: 'serverWinsWithNotice',
    entity: 'communityPost',
    entityId: uuid,
    payload: emptyPayload,
  },
  /** An edit of the person's own post (entity: the post). */
  'post.edit': {
    rule: 'manualResolution',
    entity: 'communityPost',
    entityId: uuid,
    payload: postEditPayload,
  },
  /** A chat message written offline (entity: the conversation). */
  'chat.message': {
    rule: 'appendOnly',
    entity: 'chatMessage',
    entityId: uuid,
    payload: chatMessagePayload,
  },
} as const satisfies Record<string, SyncChangeTypeSpec>;

export type SyncChangeType = keyof typeof SYNC_CHANGE_TYPES;
export const SYNC_CHANGE_TYPE_NAMES = Object.keys(SYNC_CHANGE_TYPES) as SyncChangeType[];

export function isSyncChangeType(type: string): type is SyncChangeType {
  return Object.hasOwn(SYNC_CHANGE_TYPES, type);
}

/** Limits of one sync: the GraphQL form for everyday syncs, the NDJSON form for large batches. */
export const SYNC_LIMITS = {
  /** Under /graphql's 100 KiB body limit, so the typed SYNC_TOO_LARGE answers before the body limit's 413. */
  graphql: { maxChanges: 100, maxBytes: 96 * 1024 },
  ndjson: { maxChanges: 5_000, maxBytes: 8 * 1024 * 1024 },
  /** One change's payload, as JSON. */
  maxPayloadBytes: 16 * 1024,
  /** Feed records per reply page. */
  pageSize: 500,
  /** More change records than this since the cursor: the device re-seeds instead. */
  maxBehind: 50_000,
} as const;
