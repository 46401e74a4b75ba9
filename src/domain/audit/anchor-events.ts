import { z } from 'zod';
import type { EventCatalogue } from '../shared/event-catalogue.ts';
import { SIGNATURE_ALGORITHM } from './anchor-signature.ts';
import { MERKLE_ALGORITHM } from './merkle.ts';

/** A global position as a decimal string: positions are 64-bit, more than a JSON number holds. */
const position = z.string().regex(/^(0|[1-9][0-9]{0,18})$/, 'a non-negative decimal integer');

/**
 * Global tamper evidence. An anchor covers every stored event with fromPosition <= position <=
 * toPosition except anchor events themselves, in position order: `merkleRoot` is the Merkle root
 * (see merkle.ts) over their leaves, `eventCount` how many there are. Anchors are contiguous: each
 * starts right after the previous one's end (the first at 0), so deleting, inserting or
 * reordering a whole event in an anchored range changes a count or a root, and deleting an anchor
 * other than the newest leaves a gap (deleting the newest only lengthens the unanchored tail).
 * A signed anchor also proves who computed it: a rewrite of history re-anchored without the key
 * shows as unsigned or wrongly signed anchors.
 */
export const auditAnchorEventSchemas = {
  AuditAnchored: z
    .object({
      fromPosition: position,
      toPosition: position,
      eventCount: z.number().int().min(1),
      merkleRoot: z.string().regex(/^[0-9a-f]{64}$/, 'hex SHA-256'),
      algorithm: z.literal(MERKLE_ALGORITHM),
      /** Present when the projector holds a signing key (see anchor-signature.ts). */
      signature: z
        .object({
          algorithm: z.literal(SIGNATURE_ALGORITHM),
          keyId: z.string().regex(/^[0-9a-f]{16}$/, '16 hex digits'),
          value: z.string().regex(/^[A-Za-z0-9+/]{86}==$/, 'a base64 Ed25519 signature'),
        })
        .optional(),
    })
    .refine((anchor) => BigInt(anchor.fromPosition) <= BigInt(anchor.toPosition), {
      message: 'fromPosition is at most toPosition',
    }),
};

type Schemas = typeof auditAnchorEventSchemas;
export type AuditAnchorEvent = {
  [Type in keyof Schemas]: { type: Type; data: z.infer<Schemas[Type]> };
}[keyof Schemas];
export type AuditAnchoredData = z.infer<Schemas['AuditAnchored']>;

/** Anchors hold hashes and positions only: nothing personal, nothing secret. */
export const auditAnchorEventCatalogue: EventCatalogue<AuditAnchorEvent> = {
  AuditAnchored: {
    type: 'AuditAnchored',
    schemaVersion: 1,
    schema: auditAnchorEventSchemas.AuditAnchored,
  },
};
