import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { loadAggregate } from '../../commands/load-aggregate.ts';
import { detectedContentType, SNIFF_BYTES, sniffFormat } from '../../domain/media/content-types.ts';
import { mediaAggregate } from '../../domain/media/media-decider.ts';
import type { MediaAsset } from '../../domain/media/media-state.ts';
import { mediaStream } from '../../domain/media/streams.ts';
import { DomainError, forbidden, validation } from '../../domain/shared/domain-error.ts';
import { ObjectTooLarge } from '../../storage/errors.ts';
import { originalKey } from '../../storage/keys.ts';
import { envelope, execute, nowFrom } from '../shared/command-context.ts';
import type { MediaDeps } from './media-deps.ts';

/** The process recorded as the actor of `MediaUploaded`: the upload URL, not a user, authorises it. */
export const UPLOADS_PROCESS = 'uploads';

export interface IncomingUpload {
  token: string;
  /** The request body, read as it arrives. */
  body: AsyncIterable<Buffer | string>;
  /** The `Content-Length` the client announced, if any. */
  contentLength: number | undefined;
  correlationId: string;
}

export interface ReceivedUpload {
  assetId: string;
  size: number;
  sha256: string;
  contentType: string;
}

/**
 * Checks an upload URL's token and asset (declared size and type) before anything is read.
 * FORBIDDEN when the URL is bad, expired, used or its asset deleted; VALIDATION `UPLOAD_TOO_LARGE`
 * when the announced length already exceeds the declared size.
 */
export async function admitUpload(
  deps: MediaDeps,
  token: string,
  contentLength: number | undefined,
): Promise<MediaAsset> {
  const { assetId } = deps.uploadTokens.verify(token, nowFrom(deps));
  const { state } = await loadAggregate(deps, mediaAggregate, mediaStream(assetId));
  if (state.status === 'none') throw forbidden('UPLOAD_URL_INVALID', 'This upload URL is not valid');
  if (state.status === 'deleted') throw forbidden('MEDIA_DELETED', 'This media was deleted');
  if (state.status !== 'requested')
    throw forbidden('UPLOAD_URL_USED', 'This upload URL has already been used');
  if (contentLength !== undefined && contentLength > state.declaredSize) throw tooLarge(state);
  return state;
}

/**
 * Receives the bytes of an upload URL. They stream into storage under a key of their own while
 * being counted (past the declared size: `UPLOAD_TOO_LARGE`, nothing kept), hashed, and sniffed
 * (the first bytes must be media of the declared kind: `CONTENT_TYPE_MISMATCH`, nothing kept).
 * Then `MediaUploaded` is appended. The object is complete before the event names it; a crash in
 * between leaves an object no event refers to, which is harmless (the URL can still be used until
 * it expires) and goes when the asset is deleted.
 */
export async function receiveUpload(deps: MediaDeps, upload: IncomingUpload): Promise<ReceivedUpload> {
  const startedAt = nowFrom(deps);
  const asset = await admitUpload(deps, upload.token, upload.contentLength);
  const stored = await storeOriginal(deps, asset, upload.body);
  await recordUpload(deps, upload.correlationId, asset, { ...stored, startedAt });
  return {
    assetId: asset.assetId,
    size: stored.size,
    sha256: stored.sha256,
    contentType: stored.contentType,
  };
}

export interface StoredOriginal {
  key: string;
  size: number;
  sha256: string;
  contentType: string;
}

/**
 * Stores an upload's bytes as the asset's original, under a key of its own, while counting them
 * (past the declared size: `UPLOAD_TOO_LARGE`, nothing kept), hashing them and sniffing the first
 * ones (not media of the declared kind: `CONTENT_TYPE_MISMATCH`, nothing kept; none at all:
 * `EMPTY_UPLOAD`).
 */
export async function storeOriginal(
  deps: MediaDeps,
  asset: MediaAsset,
  body: AsyncIterable<Buffer | string>,
): Promise<StoredOriginal> {
  const key = originalKey(asset.assetId, randomUUID());
  const sniffed: { contentType?: string } = {};
  const checkHead = (head: Uint8Array) => {
    const detected = detectedContentType(asset.kind, asset.contentType, sniffFormat(head));
    if (detected !== null) sniffed.contentType = detected;
    else {
      throw validation(
        'CONTENT_TYPE_MISMATCH',
        `The uploaded bytes are not a ${asset.kind} of an accepted type`,
        {
          kind: asset.kind,
          declaredContentType: asset.contentType,
        },
      );
    }
  };
  let stored: { size: number; sha256: string };
  try {
    stored = await deps.storage.put(key, Readable.from(sniffing(body, checkHead)), {
      maxBytes: asset.declaredSize,
    });
  } catch (error) {
    throw error instanceof ObjectTooLarge ? tooLarge(asset) : error;
  }
  const { contentType } = sniffed;
  if (stored.size === 0 || contentType === undefined) {
    await deps.storage.delete(key);
    throw validation('EMPTY_UPLOAD', 'The upload is empty');
  }
  return { key, ...stored, contentType };
}

/**
 * Appends `MediaUploaded` for a stored original. Refused by the decider (another upload won the
 * race, the asset was deleted meanwhile), the object goes: nothing names it.
 */
export async function recordUpload(
  deps: MediaDeps,
  correlationId: string,
  asset: MediaAsset,
  facts: StoredOriginal & { startedAt: Date },
): Promise<void> {
  const context = {
    actor: { kind: 'system', process: UPLOADS_PROCESS } as const,
    correlationId,
  };
  try {
    await execute(
      deps,
      mediaAggregate,
      mediaStream(asset.assetId),
      envelope(context, randomUUID(), nowFrom(deps), {
        type: 'RecordUpload',
        storageKey: facts.key,
        size: facts.size,
        sha256: facts.sha256,
        detectedContentType: facts.contentType,
        startedAt: facts.startedAt.toISOString(),
      }),
    );
  } catch (error) {
    // Refused by the decider (another upload won the race, the asset was deleted meanwhile):
    // nothing names this object, so it goes. After any other failure the event may have been
    // written, so the object stays; at worst it is an orphan until the asset is deleted.
    if (error instanceof DomainError) await deps.storage.delete(facts.key);
    throw error;
  }
}

/** Passes the bytes through, handing the first `SNIFF_BYTES` (or all, if fewer) to `check` first. */
async function* sniffing(
  source: AsyncIterable<Buffer | string>,
  check: (head: Uint8Array) => void,
): AsyncGenerator<Buffer> {
  let head: Buffer | null = Buffer.alloc(0);
  for await (const chunk of source) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (head !== null) {
      head = Buffer.concat([head, bytes]);
      if (head.length >= SNIFF_BYTES) {
        check(head.subarray(0, SNIFF_BYTES));
        head = null;
      }
    }
    yield bytes;
  }
  if (head !== null) check(head);
}

const tooLarge = (asset: MediaAsset) =>
  validation('UPLOAD_TOO_LARGE', `The upload is larger than the ${asset.declaredSize} bytes declared`, {
    declaredSize: asset.declaredSize,
  });
