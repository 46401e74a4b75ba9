import type pg from 'pg';
import type { AttachmentKind } from '../../domain/chat/chat-values.ts';
import type { CheckedAttachment } from '../../domain/chat/message-commands.ts';
import type { MediaKind } from '../../domain/media/media-values.ts';

/** A voice note is an `audio` asset: the media context knows files, chat knows what they are for. */
const ATTACHMENT_KIND_OF: Record<MediaKind, AttachmentKind> = {
  image: 'image',
  video: 'video',
  audio: 'voice',
  file: 'file',
};

/**
 * Uploaded and not given up on: an asset still processing may be sent (the message shows it as
 * such and its URL once ready), one never uploaded, failed or deleted may not.
 */
const USABLE_STATUSES = new Set(['uploaded', 'processing', 'ready']);

/**
 * The attachments of a message about to be sent, as the media read model shows them, for the
 * message decider to judge: whether each is the sender's own (an unknown id counts as someone
 * else's, so nobody learns which asset ids exist) and usable (in a usable state and not rejected by
 * the media moderation check). Their kind comes from the asset, never from the client. Read in one
 * query, in the order given.
 */
export async function checkAttachments(
  pool: Pick<pg.Pool, 'query'>,
  senderId: string,
  assetIds: readonly string[],
): Promise<CheckedAttachment[]> {
  if (assetIds.length === 0) return [];
  const { rows } = await pool.query<{
    asset_id: string;
    owner_id: string;
    kind: MediaKind;
    status: string;
    rejected: boolean;
  }>(
    `select asset_id, owner_id, kind, status, coalesce(moderation->>'decision' = 'rejected', false) as rejected
       from media_assets where asset_id = any($1::uuid[])`,
    [assetIds],
  );
  const found = new Map(rows.map((row) => [row.asset_id, row]));
  return assetIds.map((assetId) => {
    const asset = found.get(assetId.toLowerCase());
    const ownedBySender = asset !== undefined && asset.owner_id === senderId;
    return {
      assetId: assetId.toLowerCase(),
      kind: asset ? ATTACHMENT_KIND_OF[asset.kind] : 'file',
      ownedBySender,
      usable: ownedBySender && USABLE_STATUSES.has(asset.status) && !asset.rejected,
    };
  });
}
