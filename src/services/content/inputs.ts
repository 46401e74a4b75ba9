import { z } from 'zod';

/**
 * The shapes the API accepts for content. The decider checks the values in depth (title rules,
 * field limits, who may do what); these bound sizes. Fields stay a key/value list, in the order
 * the author gave them.
 */
const idempotencyKey = z.string().min(8).max(128).nullish();
const id = z.uuid();

const fields = z
  .array(z.object({ key: z.string().max(64), value: z.string().max(100_000) }))
  .max(50)
  .refine((list) => new Set(list.map((f) => f.key)).size === list.length, 'field keys must be unique');

const metadata = z
  .object({
    seoTitle: z.string().max(200).nullish(),
    seoDescription: z.string().max(500).nullish(),
    keywords: z.array(z.string().max(100)).max(20).nullish(),
  })
  .transform((m) => ({
    seoTitle: m.seoTitle ?? null,
    seoDescription: m.seoDescription ?? null,
    keywords: m.keywords ?? [],
  }));

export const createContentInput = z.object({
  input: z.object({
    brandId: id,
    type: z.string().max(64),
    templateId: z.string().max(200).nullish(),
    title: z.string().max(200),
    fields,
    metadata: metadata.nullish(),
  }),
  idempotencyKey,
});

const updateContentChanges = z.object({
  title: z.string().max(200).nullish(),
  fields: fields.nullish(),
  metadata: metadata.nullish(),
  expectedVersion: z.number().int().min(1).nullish(),
});

export const updateContentInput = z.object({ id, input: updateContentChanges, idempotencyKey });

/** Most items one bulk call takes: each is its own command, run one after the other. */
export const MAX_BULK_ITEMS = 100;

/**
 * Up to 100 edits, each with its own idempotency key. A content appears once: two edits of one
 * content in one call would depend on their order, which a bulk call should not make anyone guess.
 */
export const bulkUpdateInput = z.object({
  items: z
    .array(
      z.object({
        id,
        expectedVersion: z.number().int().min(1).nullish(),
        input: updateContentChanges,
        idempotencyKey,
      }),
    )
    .min(1)
    .max(MAX_BULK_ITEMS)
    .refine(
      (items) => new Set(items.map((item) => item.id)).size === items.length,
      'each content appears once',
    ),
});

export const restoreVersionInput = z.object({ id, version: z.number().int().min(1), idempotencyKey });
export const contentIdInput = z.object({ id, idempotencyKey });
export const approveInput = z.object({ id, comment: z.string().max(2_000).nullish(), idempotencyKey });
export const rejectInput = z.object({ id, reason: z.string().max(2_000), idempotencyKey });
export const publishInput = z.object({ id, at: z.iso.datetime({ offset: true }).nullish(), idempotencyKey });
export const unpublishInput = z.object({ id, reason: z.string().max(2_000).nullish(), idempotencyKey });
export const bulkArchiveInput = z.object({ ids: z.array(id).min(1).max(MAX_BULK_ITEMS) });
