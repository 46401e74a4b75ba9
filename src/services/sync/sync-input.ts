import { z } from 'zod';
import { type DomainError, validation } from '../../domain/shared/domain-error.ts';
import { isSyncChangeType, SYNC_CHANGE_TYPES, SYNC_LIMITS } from '../../domain/sync/change-types.ts';
import type { SyncChange, SyncOutcome } from '../../domain/sync/outcomes.ts';

/** Which way in a sync came: the GraphQL mutation (everyday syncs) or `POST /sync` (NDJSON, large batches). */
export type SyncForm = 'graphql' | 'ndjson';

/** A change's id is the device's idempotency key for it: printable, short, unique per person. */
export const changeIdSchema = z
  .string()
  .min(8)
  .max(100)
  .regex(/^[A-Za-z0-9._:-]+$/, 'may hold only letters, digits and . _ : -');

/** A feed position, as the API hands it out: a decimal integer; -1 before the first event. */
const CURSOR = /^(-1|0|[1-9][0-9]{0,18})$/;
const MAX_POSITION = 2n ** 63n - 1n;

/** The whole request apart from its changes, which are validated one by one (see `parseChange`). */
export const syncRequestInput = z.object({
  deviceId: z.uuid().transform((id) => id.toLowerCase()),
  cursor: z.string().max(40).nullish(),
  snapshotToken: z.string().min(1).max(2_000).nullish(),
  deviceTime: z.iso.datetime({ offset: true }).nullish(),
  /** None, or null, to only pull. */
  changes: z
    .array(z.unknown())
    .nullish()
    .transform((changes) => changes ?? []),
});
export type SyncRequestInput = z.infer<typeof syncRequestInput>;

/** One change as sent, before its type's own schemas look at its entity id and payload. */
const changeEnvelope = z.object({
  changeId: changeIdSchema,
  type: z.string().min(1).max(100),
  entityId: z.string().min(1).max(100),
  baseVersion: z
    .number()
    .int()
    .min(-1)
    .max(2 ** 31 - 1),
  clientTime: z.iso.datetime({ offset: true }),
  payload: z.record(z.string(), z.unknown()),
});

/** A change that passed validation, or the refusal of one that did not (the others still go). */
export type ParsedChange =
  | { change: SyncChange }
  | { changeId: string; invalid: NonNullable<SyncOutcome['error']> };

/**
 * Validates one pushed change by the table in change-types.ts: the envelope, then the type, then
 * the entity id and payload by that type's schemas. A change that fails is refused on its own
 * (VALIDATION, with zod's message) rather than failing the sync: the device's other changes were
 * made independently and must not wait on one it cannot fix by retrying.
 */
export function parseChange(raw: unknown): ParsedChange {
  const echoedId = echoId(raw);
  const envelope = changeEnvelope.safeParse(raw);
  if (!envelope.success) return refused(echoedId, 'INVALID_CHANGE', issuesOf(envelope.error));
  const { changeId, type, entityId, baseVersion, clientTime, payload } = envelope.data;
  if (!isSyncChangeType(type)) {
    return refused(changeId, 'UNKNOWN_CHANGE_TYPE', `type: ${type.slice(0, 100)} is not a change type`, {
      knownTypes: Object.keys(SYNC_CHANGE_TYPES),
    });
  }
  const payloadBytes = Buffer.byteLength(JSON.stringify(payload));
  if (payloadBytes > SYNC_LIMITS.maxPayloadBytes) {
    return refused(changeId, 'PAYLOAD_TOO_LARGE', `payload: ${payloadBytes} bytes is over the limit`, {
      bytes: payloadBytes,
      maxPayloadBytes: SYNC_LIMITS.maxPayloadBytes,
    });
  }
  const spec = SYNC_CHANGE_TYPES[type];
  const id = spec.entityId.safeParse(entityId);
  if (!id.success) return refused(changeId, 'INVALID_CHANGE', issuesOf(id.error, ['entityId']));
  const parsedPayload = spec.payload.safeParse(payload);
  if (!parsedPayload.success) {
    return refused(changeId, 'INVALID_CHANGE', issuesOf(parsedPayload.error, ['payload']));
  }
  return {
    change: {
      changeId,
      type,
      entityId: id.data.toLowerCase(),
      baseVersion,
      clientTime,
      payload: parsedPayload.data,
    },
  };
}

/**
 * The request's cursor as a feed position. Anything but a position this API could have handed out
 * refuses the whole sync (VALIDATION CURSOR_INVALID) before anything is stored: the device's state
 * is broken, and pushing its changes would only hide that.
 */
export function parseCursor(cursor: string | null | undefined): bigint | null {
  if (cursor === null || cursor === undefined) return null;
  // Nineteen digits reach past a 64-bit position (9223372036854775807): no cursor this API gave.
  if (!CURSOR.test(cursor) || BigInt(cursor) > MAX_POSITION) {
    throw validation('CURSOR_INVALID', 'cursor is not a position this API handed out; re-seed without one');
  }
  return BigInt(cursor);
}

/**
 * The size of a sync, checked before anything else: more changes or more bytes than its form
 * takes refuses the whole request (VALIDATION SYNC_TOO_LARGE, the limits in its details), so the
 * device splits the batch, or sends it as NDJSON, instead of half of it being applied.
 */
export function assertWithinLimits(form: SyncForm, size: { changes: number; bytes: number }): void {
  const limits = SYNC_LIMITS[form];
  if (size.changes <= limits.maxChanges && size.bytes <= limits.maxBytes) return;
  throw validation(
    'SYNC_TOO_LARGE',
    `A ${form} sync takes at most ${limits.maxChanges} changes and ${limits.maxBytes} bytes of changes` +
      (form === 'graphql' ? '; send larger batches as NDJSON to POST /sync' : '; split the batch'),
    {
      form,
      changes: size.changes,
      bytes: size.bytes,
      maxChanges: limits.maxChanges,
      maxBytes: limits.maxBytes,
    },
  );
}

/** The bytes of the changes as JSON: what the limit counts for the GraphQL form. */
export const changesBytes = (changes: readonly unknown[]) => Buffer.byteLength(JSON.stringify(changes));

/** The id the outcome of an invalid change is reported under, so the device can match it. */
function echoId(raw: unknown): string {
  if (typeof raw !== 'object' || raw === null || !('changeId' in raw)) return '';
  return typeof raw.changeId === 'string' ? raw.changeId.slice(0, 100) : '';
}

function issuesOf(error: z.ZodError, prefix: readonly string[] = []): string {
  return error.issues
    .map((issue) => `${[...prefix, ...issue.path.map(String)].join('.') || 'change'}: ${issue.message}`)
    .join('; ');
}

function refused(
  changeId: string,
  reason: string,
  message: string,
  details?: Record<string, unknown>,
): ParsedChange {
  return { changeId, invalid: outcomeError(validation(reason, `Invalid change (${message})`, details)) };
}

/** A refusal as an outcome's typed error: the GraphQL error's code and reason, and its details. */
export function outcomeError(error: DomainError): NonNullable<SyncOutcome['error']> {
  return {
    code: error.reason,
    category: error.code,
    message: error.message,
    ...(Object.keys(error.details).length > 0 ? { details: error.details } : {}),
  };
}
