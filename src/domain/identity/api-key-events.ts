import { z } from 'zod';
import { API_SCOPES } from '../shared/decider.ts';
import type { EventCatalogue } from '../shared/event-catalogue.ts';

const instant = z.iso.datetime();

/** An integrator's API key. The key itself is shown once; only its SHA-256 is stored. */
export const apiKeyEventSchemas = {
  ApiKeyCreated: z.object({
    keyId: z.uuid(),
    ownerId: z.uuid(),
    name: z.string().min(1).max(100),
    scopes: z.array(z.enum(API_SCOPES)).min(1),
    tokenHash: z.string().regex(/^[0-9a-f]{64}$/),
    /** The first characters of the key, so owners can tell their keys apart. */
    prefix: z.string(),
    at: instant,
  }),
  ApiKeyRevoked: z.object({ keyId: z.uuid(), at: instant }),
};

type Schemas = typeof apiKeyEventSchemas;
export type ApiKeyEvent = {
  [Type in keyof Schemas]: { type: Type; data: z.infer<Schemas[Type]> };
}[keyof Schemas];

export const apiKeyEventCatalogue: EventCatalogue<ApiKeyEvent> = {
  ApiKeyCreated: {
    type: 'ApiKeyCreated',
    schemaVersion: 1,
    schema: apiKeyEventSchemas.ApiKeyCreated,
    credentialFields: ['tokenHash'],
  },
  ApiKeyRevoked: { type: 'ApiKeyRevoked', schemaVersion: 1, schema: apiKeyEventSchemas.ApiKeyRevoked },
};
