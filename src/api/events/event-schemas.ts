import { z } from 'zod';
import { INTEGRATOR_CATALOGUE, PUBLIC_EVENT_TYPES, type PublishedEvent } from './catalogues.ts';
import type { EventAudience } from './published-events.ts';

/** A JSON Schema (draft-07, the dialect AsyncAPI's schema object extends). */
export type JsonSchema = Record<string, unknown>;

export const JSON_SCHEMA_DIALECT = 'http://json-schema.org/draft-07/schema#';

export interface PublicEventSchema {
  type: string;
  schemaVersion: number;
  /** `readers`: every events:read key; `admins`: admins and keys of admins only. */
  audience: EventAudience;
  /** Public fields that hold personal data: null once the person is forgotten. */
  personalFields: string[];
  /** The `data` of the event as integrators receive it. */
  dataSchema: JsonSchema;
}

/** Every public event type with the JSON Schema of what integrators see of it, sorted by type. */
export function publicEventSchemas(): PublicEventSchema[] {
  return PUBLIC_EVENT_TYPES.flatMap((type) => {
    const published = INTEGRATOR_CATALOGUE.get(type);
    return published ? [publicEventSchema(published)] : [];
  });
}

function publicEventSchema({
  definition,
  fields: publicFields,
  audience,
}: PublishedEvent): PublicEventSchema {
  const personal = new Set(definition.personalFields ?? []);
  const { schema } = definition;
  if (!(schema instanceof z.ZodObject)) {
    throw new Error(`${definition.type} has public fields but its schema is not an object`);
  }
  const shape = schema.shape;
  const picked = z.object(
    Object.fromEntries(
      publicFields.map((field) => {
        const fieldSchema = shape[field];
        if (!fieldSchema) throw new Error(`${definition.type} lists public field ${field} its schema lacks`);
        return [field, fieldSchema] as const;
      }),
    ),
  );
  const generated = z.toJSONSchema(picked, { target: 'draft-7', io: 'output' });
  const { $schema: _dialect, additionalProperties: _closed, properties, ...rest } = generated;
  return {
    type: definition.type,
    schemaVersion: definition.schemaVersion,
    audience,
    personalFields: publicFields.filter((field) => personal.has(field)),
    dataSchema: {
      ...rest,
      // Open on purpose: a later schema version may add fields without breaking older readers.
      properties: Object.fromEntries(
        Object.entries(properties ?? {}).map(([field, property]) => [
          field,
          personal.has(field)
            ? {
                ...asObject(property),
                'x-personal-data': true,
                description: 'Personal data: null once the person has been forgotten (forgetUser).',
              }
            : property,
        ]),
      ),
    },
  };
}

function asObject(schema: unknown): JsonSchema {
  return typeof schema === 'object' && schema !== null ? { ...schema } : {};
}

/** The envelope every event is sent in (an IntegratorEvent), with the given `data` schema. */
export function envelopeSchema(type: string, schemaVersion: number, dataSchema: JsonSchema): JsonSchema {
  const decimal = { type: 'string', pattern: '^\\d+$' };
  return {
    type: 'object',
    required: [
      'position',
      'streamName',
      'revision',
      'id',
      'type',
      'schemaVersion',
      'occurredAt',
      'correlationId',
      'data',
    ],
    properties: {
      position: {
        ...decimal,
        description: 'Global position; also the SSE id. Resume after it with `after` or Last-Event-ID.',
      },
      streamName: { type: 'string', description: '`<category>-<uuid>`, e.g. `user-…`' },
      revision: { ...decimal, description: 'The event’s 0-based index in its stream.' },
      id: { type: 'string', format: 'uuid' },
      type: { type: 'string', const: type },
      schemaVersion: { type: 'integer', const: schemaVersion },
      occurredAt: { type: 'string', format: 'date-time' },
      correlationId: { type: ['string', 'null'] },
      data: dataSchema,
    },
  };
}

/** The `data` of the final `event: error` frame a stream may end with. */
export const STREAM_ERROR_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['code', 'message'],
  properties: {
    code: { type: 'string', enum: ['RATE_LIMITED', 'UNAUTHENTICATED', 'FORBIDDEN', 'INTERNAL'] },
    reason: { type: 'string', description: 'E.g. SLOW_CONSUMER, API_KEY_REVOKED, SESSION_REVOKED.' },
    message: { type: 'string' },
  },
};
