import { mediaAggregate } from '../../domain/media/media-decider.ts';
import { mediaStream } from '../../domain/media/streams.ts';
import { assetPrefix, incomingKey } from '../../storage/keys.ts';
import { commandIdFor, envelope, execute, nowFrom, type RequestContext } from '../shared/command-context.ts';
import { mediaIdInput, requestUploadInput } from './inputs.ts';
import type { MediaDeps } from './media-deps.ts';
import { uploadPath } from './upload-tokens.ts';

export interface UploadTicket {
  assetId: string;
  /**
   * Where to `PUT` the bytes: relative to the API's origin (at most the declared size), or, with
   * direct uploads, the object storage's presigned URL (exactly the declared size).
   */
  uploadUrl: string;
  expiresAt: string;
  maxSize: number;
  /** Headers the PUT must carry with exactly these values (signed into a presigned URL). */
  headers: { name: string; value: string }[];
  /** The storage tells the API nothing of a direct upload: the client calls `confirmUpload` after. */
  confirmRequired: boolean;
}

/**
 * Opens an upload and hands out its URL, valid for `uploadUrlTtlMs` (10 minutes). The asset id
 * derives from the command id, so a retried request (same idempotency key) gets the same asset and
 * an upload URL for the same place back. When the storage takes uploads itself (S3), the URL is a
 * presigned PUT to the asset's incoming key with the declared type and size bound into it.
 */
export async function requestUpload(
  deps: MediaDeps,
  context: RequestContext,
  raw: unknown,
): Promise<UploadTicket> {
  const parsed = requestUploadInput.parse(raw);
  const { kind, fileName, contentType, size } = parsed;
  const commandId = commandIdFor(context, 'requestUpload', parsed);
  const assetId = commandId;
  const now = nowFrom(deps);
  const result = await execute(
    deps,
    mediaAggregate,
    mediaStream(assetId),
    envelope(context, commandId, now, {
      type: 'RequestUpload',
      assetId,
      kind,
      fileName,
      contentType,
      declaredSize: size,
      maxSize: deps.limits[kind],
      expiresAt: new Date(now.getTime() + deps.uploadUrlTtlMs).toISOString(),
    }),
  );
  const requested = result.events.find((event) => event.type === 'MediaUploadRequested');
  if (requested?.type !== 'MediaUploadRequested')
    throw new Error(`RequestUpload of ${assetId} recorded nothing`);
  const { declaredSize, contentType: declaredType } = requested.data;
  const expiresAt = new Date(requested.data.expiresAt);
  const ticket = { assetId, expiresAt: expiresAt.toISOString(), maxSize: declaredSize };
  const direct = deps.storage.direct;
  if (!direct) {
    const uploadUrl = uploadPath(deps.uploadTokens.issue(assetId, expiresAt));
    return { ...ticket, uploadUrl, headers: [], confirmRequired: false };
  }
  const presigned = await direct.presignPut(incomingKey(assetId), {
    contentType: declaredType,
    size: declaredSize,
    expiresAt,
  });
  const headers = Object.entries(presigned.headers).map(([name, value]) => ({ name, value }));
  return { ...ticket, uploadUrl: presigned.url, headers, confirmRequired: true };
}

/**
 * Deletes the asset for good (owner or admin), then its stored objects. The event comes first:
 * MediaDeleted starts the purge workflow (through the process manager), which removes every object
 * of the asset with retries, so objects survive neither a crash here nor a storage failure; the
 * attempt here only makes the common case immediate. The API's delivery refuses deleted assets at
 * once, but presigned URLs reach the storage directly until the objects are gone. The transcoding
 * saga, signalled too, stops and removes what it was still writing.
 */
export async function deleteMedia(deps: MediaDeps, context: RequestContext, raw: unknown): Promise<string> {
  const parsed = mediaIdInput.parse(raw);
  const { id } = parsed;
  const commandId = commandIdFor(context, `deleteMedia:${id}`, parsed);
  await execute(
    deps,
    mediaAggregate,
    mediaStream(id),
    envelope(context, commandId, nowFrom(deps), { type: 'DeleteMedia' }),
  );
  try {
    await deps.storage.deletePrefix(assetPrefix(id));
  } catch (error) {
    deps.log.warn(
      { err: error, assetId: id },
      'deleted media whose objects could not be removed yet; the purge workflow retries',
    );
  }
  return id;
}
