import { z } from 'zod';
import type { EventCatalogue } from '../shared/event-catalogue.ts';

const instant = z.iso.datetime();
/** WebAuthn's identifiers and keys travel as base64url (RFC 4648 §5, no padding). */
const base64url = z.string().regex(/^[A-Za-z0-9_-]+$/);
/** The signature counter is an unsigned 32-bit integer in the authenticator data. */
const counter = z.number().int().min(0).max(0xffff_ffff);

/**
 * One person's passkeys (WebAuthn credentials), on `passkeys-<userId>`. The public key is a
 * credential: whoever could swap it could sign in as the person, so audit answers never show it.
 * The name the person gave the passkey is personal and goes with them when they are forgotten.
 */
export const passkeyEventSchemas = {
  PasskeyRegistered: z.object({
    userId: z.uuid(),
    credentialId: base64url,
    /** The COSE-encoded public key, as the attestation carried it. */
    publicKey: base64url,
    counter,
    transports: z.array(z.string().max(32)).max(10),
    name: z.string().max(100).nullable(),
    /** The authenticator says the credential is synced (a multi-device passkey). */
    backedUp: z.boolean(),
    at: instant,
  }),
  PasskeyUsed: z.object({ userId: z.uuid(), credentialId: base64url, counter, at: instant }),
  /**
   * An assertion whose counter did not go up: two authenticators hold the same key. The sign-in
   * was refused, and the passkey is refused from then on until its owner removes it.
   */
  PasskeyCloneSuspected: z.object({
    userId: z.uuid(),
    credentialId: base64url,
    presentedCounter: counter,
    storedCounter: counter,
    at: instant,
  }),
  PasskeyRemoved: z.object({ userId: z.uuid(), credentialId: base64url, at: instant }),
};

type Schemas = typeof passkeyEventSchemas;
export type PasskeyEvent = {
  [Type in keyof Schemas]: { type: Type; data: z.infer<Schemas[Type]> };
}[keyof Schemas];
export type PasskeyEventOf<Type extends PasskeyEvent['type']> = Extract<PasskeyEvent, { type: Type }>;

export const passkeyEventCatalogue: EventCatalogue<PasskeyEvent> = {
  PasskeyRegistered: {
    type: 'PasskeyRegistered',
    schemaVersion: 1,
    schema: passkeyEventSchemas.PasskeyRegistered,
    personalFields: ['name'],
    subject: (data) => data.userId,
    credentialFields: ['publicKey'],
  },
  PasskeyUsed: { type: 'PasskeyUsed', schemaVersion: 1, schema: passkeyEventSchemas.PasskeyUsed },
  PasskeyCloneSuspected: {
    type: 'PasskeyCloneSuspected',
    schemaVersion: 1,
    schema: passkeyEventSchemas.PasskeyCloneSuspected,
  },
  PasskeyRemoved: { type: 'PasskeyRemoved', schemaVersion: 1, schema: passkeyEventSchemas.PasskeyRemoved },
};
