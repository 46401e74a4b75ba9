import { z } from 'zod';
import type { DomainEvent } from '../domain/shared/decider.ts';
import type { EventCatalogue, EventDefinition } from '../domain/shared/event-catalogue.ts';
import type { EventToAppend, RecordedEvent } from '../eventstore/port.ts';
import {
  decryptField,
  type EncryptedField,
  encryptField,
  isEncryptedField,
  personalFieldAad,
} from '../privacy/field-encryption.ts';
import type { PersonalDataKeys } from '../privacy/personal-data-keys.ts';
import type { EventMetadata } from './types.ts';

/** A stored event read back: the current version of its data, personal fields decrypted (or null if erased). */
export interface DecodedEvent<Event extends DomainEvent> {
  event: Event;
  /** As recorded; `schemaVersion` is the version the event was written with, not the one upcast to. */
  metadata: EventMetadata;
}

export interface EventCodec {
  /** Validates, encrypts the personal fields and stamps the definition's schema version. */
  encode(
    definition: EventDefinition,
    event: DomainEvent,
    metadata: Omit<EventMetadata, 'schemaVersion'>,
    eventId: string,
  ): Promise<EventToAppend>;
  /** Undefined for a type the catalogue does not know: readers ignore events they do not handle. */
  decode<Event extends DomainEvent>(
    catalogue: EventCatalogue<Event>,
    recorded: RecordedEvent,
  ): Promise<DecodedEvent<Event> | undefined>;
}

/** The definition of `type` in the catalogue; undefined for a type it does not know. */
export function definitionOf<Event extends DomainEvent>(
  catalogue: EventCatalogue<Event>,
  type: string,
): EventDefinition | undefined {
  const definitions: Readonly<Record<string, EventDefinition | undefined>> = catalogue;
  return Object.hasOwn(definitions, type) ? definitions[type] : undefined;
}

const storedMetadata = z.object({
  commandId: z.string(),
  correlationId: z.string(),
  causationId: z.string(),
  actor: z.string(),
  occurredAt: z.string(),
  schemaVersion: z.number().int().positive().default(1),
  inputFingerprint: z.string().optional(),
  communityId: z.string().optional(),
  /** Whose key encrypts the event's personal fields; written only when some are encrypted. */
  personalDataSubject: z.string().optional(),
});

const record = z.record(z.string(), z.unknown());

export function createEventCodec(keys: PersonalDataKeys): EventCodec {
  return {
    async encode(definition, event, metadata, eventId) {
      if (event.type !== definition.type) {
        throw new Error(`Event ${event.type} cannot be encoded with the definition of ${definition.type}`);
      }
      const parsed = definition.schema.safeParse(event.data);
      if (!parsed.success) {
        throw new Error(`Event ${event.type} does not match its schema: ${z.prettifyError(parsed.error)}`);
      }
      const { data, subject } = await encryptPersonalFields(keys, definition, parsed.data);
      return {
        id: eventId,
        type: definition.type,
        data,
        metadata: {
          ...metadata,
          schemaVersion: definition.schemaVersion,
          ...(subject === undefined ? {} : { personalDataSubject: subject }),
        },
      };
    },

    async decode(catalogue, recorded) {
      const definition = definitionOf(catalogue, recorded.type);
      if (!definition) return undefined;
      const where = `${recorded.type} at ${recorded.streamName}@${recorded.revision}`;
      const metadata = storedMetadata.safeParse(recorded.metadata);
      if (!metadata.success) {
        throw new Error(`Event ${where} has invalid metadata: ${z.prettifyError(metadata.error)}`);
      }
      const { personalDataSubject, ...eventMetadata } = metadata.data;
      const decrypted = await decryptPersonalFields(keys, recorded, personalDataSubject, where);
      const upcast = upcastData(definition, decrypted, eventMetadata.schemaVersion, where);
      const parsed = definition.schema.safeParse(upcast);
      if (!parsed.success) {
        throw new Error(`Event ${where} does not match its schema: ${z.prettifyError(parsed.error)}`);
      }
      const event: DomainEvent = { type: recorded.type, data: parsed.data };
      if (!isCatalogued(catalogue, event)) return undefined;
      return { event, metadata: eventMetadata };
    },
  };
}

/** The data just passed the schema of its type in this catalogue, so it is that member of the union. */
function isCatalogued<Event extends DomainEvent>(
  catalogue: EventCatalogue<Event>,
  event: DomainEvent,
): event is Event {
  return Object.hasOwn(catalogue, event.type);
}

async function encryptPersonalFields(
  keys: PersonalDataKeys,
  definition: EventDefinition,
  data: unknown,
): Promise<{ data: unknown; subject?: string }> {
  const fields = definition.personalFields ?? [];
  const plain = record.safeParse(data);
  const values = plain.success ? plain.data : {};
  const toEncrypt = fields.flatMap((field) => {
    const value = values[field];
    return typeof value === 'string' ? [{ field, value }] : [];
  });
  // Null (already absent) values need no key, so an event without personal data never asks for one.
  if (toEncrypt.length === 0) return { data };
  if (!definition.subject) {
    throw new Error(`Event ${definition.type} declares personal fields but no subject`);
  }
  const subject = definition.subject(data);
  const key = await keys.keyFor(subject);
  const encrypted: Record<string, unknown> = { ...values };
  for (const { field, value } of toEncrypt) {
    encrypted[field] = encryptField(value, key, personalFieldAad(subject, definition.type, field));
  }
  return { data: encrypted, subject };
}

/** A field whose key is gone reads as null: that is what "erased" looks like to every reader. */
async function decryptPersonalFields(
  keys: PersonalDataKeys,
  recorded: RecordedEvent,
  subject: string | undefined,
  where: string,
): Promise<unknown> {
  const stored = record.safeParse(recorded.data);
  if (!stored.success) return recorded.data;
  const envelopes = Object.entries(stored.data).filter((entry): entry is [string, EncryptedField] =>
    isEncryptedField(entry[1]),
  );
  if (envelopes.length === 0) return recorded.data;
  if (subject === undefined) throw new Error(`Event ${where} holds encrypted fields but names no subject`);
  const data: Record<string, unknown> = { ...stored.data };
  for (const [field, envelope] of envelopes) {
    const key = await keys.find(subject, envelope.kid);
    data[field] = key ? decryptField(envelope, key, personalFieldAad(subject, recorded.type, field)) : null;
  }
  return data;
}

function upcastData(definition: EventDefinition, data: unknown, fromVersion: number, where: string): unknown {
  if (fromVersion > definition.schemaVersion) {
    throw new Error(
      `Event ${where} has schema version ${fromVersion}, newer than this code's ${definition.schemaVersion}`,
    );
  }
  let current = data;
  for (let version = fromVersion; version < definition.schemaVersion; version++) {
    const upcaster = definition.upcasters?.[version];
    if (!upcaster) throw new Error(`Event ${where}: no upcaster from schema version ${version}`);
    current = upcaster(current);
  }
  return current;
}
