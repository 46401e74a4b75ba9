import { loadAggregate } from '../../commands/load-aggregate.ts';
import { normaliseContentType } from '../../domain/media/content-types.ts';
import { mediaAggregate } from '../../domain/media/media-decider.ts';
import { mediaStream } from '../../domain/media/streams.ts';
import { conflict, forbidden, notFound, validation } from '../../domain/shared/domain-error.ts';
import { ObjectNotFound } from '../../storage/errors.ts';
import { incomingKey } from '../../storage/keys.ts';
import { nowFrom, type RequestContext } from '../shared/command-context.ts';
import { mediaIdInput } from './inputs.ts';
import type { MediaDeps } from './media-deps.ts';
import { recordUpload, storeOriginal } from './receive-upload.ts';

/**
 * Confirms a direct upload (a presigned PUT to the object storage), for the asset's owner. The
 * storage already refused a body of another type or length than declared (both are signed); the
 * object is checked again by HEAD (`UPLOAD_NOT_FOUND` when nothing arrived, `UPLOAD_SIZE_MISMATCH`,
 * `CONTENT_TYPE_MISMATCH`), then copied through the port to a key of its own as the API's own
 * uploads are stored: read once, hashed, sniffed and capped on the way. The copy is what
 * `MediaUploaded` names; the incoming object goes. The presigned URL stays valid until it expires,
 * so without the copy a second PUT could replace bytes already hashed and processed.
 *
 * Confirming again once it is recorded answers as the first time did, and removes whatever is at
 * the incoming key then. Returns the asset id.
 */
export async function confirmUpload(deps: MediaDeps, context: RequestContext, raw: unknown): Promise<string> {
  const { id } = mediaIdInput.parse(raw);
  const { state: asset } = await loadAggregate(deps, mediaAggregate, mediaStream(id));
  if (asset.status === 'none' || !isOwner(context, asset.ownerId)) {
    throw notFound('MEDIA_NOT_FOUND', 'No such media');
  }
  const direct = deps.storage.direct;
  if (!direct) {
    throw conflict('NOT_A_DIRECT_UPLOAD', 'Uploads go to the upload URL, which records them itself');
  }
  if (asset.status === 'deleted') throw forbidden('MEDIA_DELETED', 'This media was deleted');
  const key = incomingKey(id);
  if (asset.status !== 'requested') {
    // Already recorded from its own copy: what is still at the incoming key was left by a crash
    // before its removal or put there by a second PUT with the still valid URL, and serves nothing.
    await deps.storage.delete(key);
    return id;
  }
  const found = await direct.head(key);
  if (!found) {
    throw validation('UPLOAD_NOT_FOUND', 'Nothing was uploaded to the upload URL yet', {
      expiresAt: asset.expiresAt,
    });
  }
  if (found.size !== asset.declaredSize) {
    throw validation(
      'UPLOAD_SIZE_MISMATCH',
      `The upload is ${found.size} bytes, not the ${asset.declaredSize} declared`,
      {
        declaredSize: asset.declaredSize,
        size: found.size,
      },
    );
  }
  if (found.contentType === null || normaliseContentType(found.contentType) !== asset.contentType) {
    throw validation('CONTENT_TYPE_MISMATCH', 'The upload was not sent with the content type declared', {
      declaredContentType: asset.contentType,
    });
  }
  const body = await deps.storage.get(key).catch((error: unknown) => {
    // Another confirmation took it meanwhile.
    if (error instanceof ObjectNotFound)
      throw conflict('UPLOAD_CONFIRMING', 'This upload is being confirmed');
    throw error;
  });
  const stored = await storeOriginal(deps, asset, body);
  // The storage refuses a PUT whose URL has expired, so an object there was started in time; it
  // may have finished after (a large file), which must not make it late.
  const expiresAt = new Date(asset.expiresAt);
  const finished = found.lastModified ?? nowFrom(deps);
  const startedAt = finished < expiresAt ? finished : expiresAt;
  await recordUpload(deps, context.correlationId, asset, { ...stored, startedAt });
  await deps.storage.delete(key);
  return id;
}

/** The owner, signed in or through one of their API keys (as `uploaderOf` names uploaders). */
function isOwner({ actor }: RequestContext, ownerId: string): boolean {
  if (actor.kind === 'user') return actor.userId === ownerId;
  return actor.kind === 'integration' && actor.ownerId === ownerId;
}
