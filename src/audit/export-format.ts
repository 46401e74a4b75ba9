import { z } from 'zod';
import type { RecordedEvent } from '../eventstore/port.ts';

/**
 * The audit export's files. `<name>.ndjson` holds one stored event per line exactly as the store
 * holds it (data with personal fields still encrypted, metadata, hash-chain link); the manifest
 * `<name>.manifest.json` describes and seals it; the optional key file `<name>.keys.json` holds the
 * personal-data keys of the people in it who were not forgotten. See export.ts for why.
 */
export const EXPORT_FORMAT_VERSION = 1;
export const EXPORT_FORMAT = 'chronicle-audit-export';

export const manifestPathFor = (file: string) => `${file}.manifest.json`;
export const keyFilePathFor = (file: string) => `${file}.keys.json`;

const decimal = z.string().regex(/^-?\d+$/, 'a decimal integer');
const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'a hex SHA-256');

/** One line of the NDJSON file. Positions and revisions are decimal strings (64-bit). */
export const exportedEventSchema = z.object({
  position: decimal,
  stream: z.string().min(1),
  revision: decimal,
  id: z.uuid(),
  type: z.string().min(1),
  data: z.unknown(),
  metadata: z.record(z.string(), z.unknown()),
  hash: sha256Hex,
  createdAt: z.iso.datetime(),
  /** 2: the link covers createdAt too (see hash-chain.ts); absent: content only. */
  linkVersion: z.literal(2).optional(),
});
export type ExportedEvent = z.infer<typeof exportedEventSchema>;

export function toExportedEvent(event: RecordedEvent): ExportedEvent {
  return {
    position: event.position.toString(),
    stream: event.streamName,
    revision: event.revision.toString(),
    id: event.id,
    type: event.type,
    data: event.data,
    metadata: event.metadata,
    hash: event.hash,
    createdAt: event.createdAt.toISOString(),
    ...(event.linkVersion === 2 ? { linkVersion: 2 as const } : {}),
  };
}

/** An exported event as the store handed it out (for code that takes RecordedEvent, e.g. anchor leaves). */
export function fromExportedEvent(event: ExportedEvent): RecordedEvent {
  return {
    streamName: event.stream,
    revision: BigInt(event.revision),
    position: BigInt(event.position),
    id: event.id,
    type: event.type,
    data: event.data,
    metadata: event.metadata,
    hash: event.hash,
    createdAt: new Date(event.createdAt),
    ...(event.linkVersion === 2 ? { linkVersion: 2 as const } : {}),
  };
}

export const exportedAnchorSchema = z.object({
  stream: z.string(),
  fromPosition: decimal,
  toPosition: decimal,
  eventCount: z.number().int().nonnegative(),
  merkleRoot: z.string(),
  algorithm: z.string(),
});
export type ExportedAnchor = z.infer<typeof exportedAnchorSchema>;

export const manifestSchema = z.object({
  format: z.literal(EXPORT_FORMAT),
  formatVersion: z.literal(EXPORT_FORMAT_VERSION),
  tool: z.object({ name: z.literal('chronicle'), version: z.string() }),
  exportedAt: z.iso.datetime(),
  /** As asked for on the command line (a position or an ISO time), and as resolved to positions. */
  requested: z.object({ from: z.string().nullable(), to: z.string().nullable() }),
  range: z.object({ fromPosition: decimal, toPosition: decimal }),
  prefix: z.string().nullable(),
  /**
   * The community the export was filtered to (`--community`: events whose metadata.communityId is
   * it); null for none. Absent in exports written before the option existed.
   */
  community: z.string().nullable().default(null),
  file: z.object({ name: z.string(), sha256: sha256Hex, bytes: z.number().int().nonnegative() }),
  eventCount: z.number().int().nonnegative(),
  streamCount: z.number().int().nonnegative(),
  firstPosition: decimal.nullable(),
  lastPosition: decimal.nullable(),
  countsByType: z.record(z.string(), z.number().int().nonnegative()),
  /** Anchors whose whole range lies inside the export's range. */
  anchors: z.array(exportedAnchorSchema),
  /** True when every event of those anchors' ranges is in the file (no prefix or community filter), so their Merkle roots can be recomputed from it. */
  completeForAnchors: z.boolean(),
  personalData: z.object({
    /** 'keys-file': the keys of people not forgotten are in `keyFile`; 'withheld': no keys anywhere in the export. */
    mode: z.enum(['keys-file', 'withheld']),
    keyFile: z.object({ name: z.string(), sha256: sha256Hex }).nullable(),
    /** Subjects whose events in the file hold encrypted fields. */
    subjects: z.number().int().nonnegative(),
    /** Of those, how many were forgotten: their key exists nowhere, so their fields stay unreadable. */
    forgottenSubjects: z.number().int().nonnegative(),
  }),
});
export type ExportManifest = z.infer<typeof manifestSchema>;

export const keyFileSchema = z.object({
  format: z.literal(`${EXPORT_FORMAT}-keys`),
  formatVersion: z.literal(EXPORT_FORMAT_VERSION),
  /** Keys of people not forgotten at export time (base64, 32 bytes). */
  keys: z.array(z.object({ subject: z.string().min(1), keyId: z.uuid(), key: z.base64() })),
  /** People forgotten before the export: the target must refuse them a key too. No key material. */
  forgotten: z.array(z.object({ subject: z.string().min(1) })),
});
export type KeyFile = z.infer<typeof keyFileSchema>;
