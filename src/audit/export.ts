import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { EventFilter, EventStore, RecordedEvent } from '../eventstore/port.ts';
import { isEncryptedField } from '../privacy/field-encryption.ts';
import type { PersonalDataKeys } from '../privacy/personal-data-keys.ts';
import { communityOwnedCategories } from './aggregate-registry.ts';
import {
  EXPORT_FORMAT,
  EXPORT_FORMAT_VERSION,
  type ExportedAnchor,
  type ExportManifest,
  type KeyFile,
  keyFilePathFor,
  manifestPathFor,
  toExportedEvent,
} from './export-format.ts';
import { type RangeBound, readRange, resolveRange } from './export-range.ts';

/**
 * What an audit export carries, and why erasure still holds:
 * - the events byte-for-byte as stored. Personal fields are AES-256-GCM ciphertext under the
 *   person's key (src/privacy/), never plain text, so the NDJSON file alone reveals nobody's
 *   personal data and its hash chains re-verify exactly;
 * - unless `withoutPersonalData`, a key file with the keys of the people in the export who were
 *   not forgotten, so a replay decrypts exactly what the source system can decrypt and rebuilds
 *   identical read models. A forgotten person's key was destroyed in the source and is in no file,
 *   so their fields stay ciphertext forever, in every copy of the export.
 * The key file is as sensitive as the key table itself: it is written owner-only (0600); keep it
 * apart from the NDJSON (another channel, encrypted at rest), delete it once the replay is done,
 * and destroy every earlier key file when a person is forgotten after the export was made.
 */
export interface ExportOptions {
  /** Path of the NDJSON file; the manifest and key file are written next to it. */
  out: string;
  from?: RangeBound;
  to?: RangeBound;
  /** Keep only streams whose name starts with this. */
  prefix?: string;
  /**
   * Keep only the events this community owns: `metadata.communityId` equal to it (lower-case
   * uuid). Only the categories of community-owned aggregates are read (a server-side stream
   * filter), so the rest of the store is never scanned event by event.
   */
  community?: string;
  /** The categories read for `community`; by default every community-owned one in the audit registry. */
  communityCategories?: readonly string[];
  /** Leave the key file out: personal fields stay encrypted for everyone. */
  withoutPersonalData?: boolean;
  toolVersion: string;
  /** The as-typed bounds, recorded in the manifest. */
  requested?: { from?: string; to?: string };
  pageSize?: number;
  now?: () => Date;
}

export interface ExportDeps {
  store: EventStore;
  keys: Pick<PersonalDataKeys, 'find'>;
  /** The anchors (see src/audit/anchors.ts) whose whole range lies in [from, to]. */
  anchorsWithin(from: bigint, to: bigint): Promise<ExportedAnchor[]>;
}

export interface ExportResult {
  manifest: ExportManifest;
  manifestPath: string;
  keyFilePath: string | null;
  seconds: number;
}

export async function exportEvents(deps: ExportDeps, options: ExportOptions): Promise<ExportResult> {
  const started = performance.now();
  const range = await resolveRange(deps.store, options.from, options.to);
  const written = await writeEvents(deps.store, options, range.fromPosition, range.toPosition);
  const anchors =
    range.toPosition >= range.fromPosition
      ? await deps.anchorsWithin(range.fromPosition, range.toPosition)
      : [];
  const { keyFile, forgotten } = await collectKeys(deps.keys, written.subjects);
  const keyFilePath = options.withoutPersonalData ? null : keyFilePathFor(options.out);
  let keyFileEntry: { name: string; sha256: string } | null = null;
  if (keyFilePath) {
    const text = `${JSON.stringify(keyFile, null, 2)}\n`;
    await writeFile(keyFilePath, text, { mode: 0o600 });
    keyFileEntry = { name: basename(keyFilePath), sha256: sha256(text) };
  }
  const manifest: ExportManifest = {
    format: EXPORT_FORMAT,
    formatVersion: EXPORT_FORMAT_VERSION,
    tool: { name: 'chronicle', version: options.toolVersion },
    exportedAt: (options.now?.() ?? new Date()).toISOString(),
    requested: { from: options.requested?.from ?? null, to: options.requested?.to ?? null },
    range: { fromPosition: range.fromPosition.toString(), toPosition: range.toPosition.toString() },
    prefix: options.prefix ?? null,
    community: options.community ?? null,
    file: { name: basename(options.out), sha256: written.sha256, bytes: written.bytes },
    eventCount: written.count,
    streamCount: written.streams,
    firstPosition: written.first?.toString() ?? null,
    lastPosition: written.last?.toString() ?? null,
    countsByType: Object.fromEntries([...written.countsByType].sort(([a], [b]) => (a < b ? -1 : 1))),
    anchors,
    completeForAnchors: !options.prefix && !options.community,
    personalData: {
      mode: keyFilePath ? 'keys-file' : 'withheld',
      keyFile: keyFileEntry,
      subjects: written.subjects.size,
      forgottenSubjects: forgotten,
    },
  };
  const manifestPath = manifestPathFor(options.out);
  await writeFile(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  return { manifest, manifestPath, keyFilePath, seconds: (performance.now() - started) / 1000 };
}

interface Written {
  count: number;
  streams: number;
  bytes: number;
  sha256: string;
  first: bigint | undefined;
  last: bigint | undefined;
  countsByType: Map<string, number>;
  /** Subject → the key id its ciphertexts name. */
  subjects: Map<string, string>;
}

/** Page by page through readAll: memory stays bounded by one page plus the per-stream/subject sets. */
async function writeEvents(
  store: EventStore,
  options: ExportOptions,
  from: bigint,
  to: bigint,
): Promise<Written> {
  const out = createWriteStream(options.out, { encoding: 'utf8' });
  const hash = createHash('sha256');
  const result: Written = {
    count: 0,
    streams: 0,
    bytes: 0,
    sha256: '',
    first: undefined,
    last: undefined,
    countsByType: new Map(),
    subjects: new Map(),
  };
  const streams = new Set<string>();
  const pageSize = options.pageSize ?? 2000;
  const filter = streamFilter(options);
  // No stream can match: an empty range (above `to`) reads nothing.
  const last = filter === null ? from - 1n : to;
  try {
    for await (const event of readRange(store, from, last, { pageSize, ...(filter ? { filter } : {}) })) {
      if (options.community !== undefined && event.metadata.communityId !== options.community) continue;
      const line = `${JSON.stringify(toExportedEvent(event))}\n`;
      hash.update(line);
      result.bytes += Buffer.byteLength(line);
      if (!out.write(line)) await once(out, 'drain');
      result.count++;
      result.first ??= event.position;
      result.last = event.position;
      streams.add(event.streamName);
      result.countsByType.set(event.type, (result.countsByType.get(event.type) ?? 0) + 1);
      noteSubject(event, result.subjects);
    }
  } finally {
    out.end();
    await once(out, 'close');
  }
  result.streams = streams.size;
  result.sha256 = hash.digest('hex');
  return result;
}

/**
 * What the store filters before handing events out. A community's events lie only in the
 * categories of community-owned aggregates, each stream wholly one community's, so an export of
 * one community reads those categories (with --prefix too, only streams matching both) and checks
 * each event's metadata: another community's streams are read, none of the rest of the store.
 * Null: no stream can match, nothing is read.
 */
function streamFilter(options: ExportOptions): EventFilter | undefined | null {
  if (options.community === undefined)
    return options.prefix ? { streamNamePrefixes: [options.prefix] } : undefined;
  const prefix = options.prefix ?? '';
  const categories = (options.communityCategories ?? communityOwnedCategories())
    .map((category) => `${category}-`)
    .filter((category) => category.startsWith(prefix) || prefix.startsWith(category));
  // A prefix inside one category narrows it; one that no category matches reads nothing.
  const prefixes = categories.map((category) => (prefix.length > category.length ? prefix : category));
  return prefixes.length > 0 ? { streamNamePrefixes: [...new Set(prefixes)] } : null;
}

function noteSubject(event: RecordedEvent, subjects: Map<string, string>): void {
  const subject = event.metadata.personalDataSubject;
  if (typeof subject !== 'string' || subjects.has(subject)) return;
  if (event.data === null || typeof event.data !== 'object') return;
  for (const value of Object.values(event.data)) {
    if (isEncryptedField(value)) {
      subjects.set(subject, value.kid);
      return;
    }
  }
}

async function collectKeys(
  keys: Pick<PersonalDataKeys, 'find'>,
  subjects: Map<string, string>,
): Promise<{ keyFile: KeyFile; forgotten: number }> {
  const keyFile: KeyFile = {
    format: `${EXPORT_FORMAT}-keys`,
    formatVersion: EXPORT_FORMAT_VERSION,
    keys: [],
    forgotten: [],
  };
  for (const [subject, keyId] of [...subjects].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const key = await keys.find(subject, keyId);
    if (key) keyFile.keys.push({ subject, keyId, key: key.toString('base64') });
    else keyFile.forgotten.push({ subject });
  }
  return { keyFile, forgotten: keyFile.forgotten.length };
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
