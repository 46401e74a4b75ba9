import type { Manifest } from '../../domain/media/media-values.ts';
import { ORIGINAL_RENDITION } from '../../domain/media/media-values.ts';
import type { MediaAssetRow } from '../media/read-model-queries.ts';
import type { ChatMessageRow, MemberReceipt, ReactionCount } from './message-queries.ts';

/** Signs one rendition of an asset (asynchronous, as S3's presigner is). */
export type SignAsset = (asset: MediaAssetRow, rendition: string) => Promise<string>;

/** What mapping a page of messages needs besides the rows, read once per page. */
export interface MessagePageFacts {
  reactions: ReadonlyMap<string, ReactionCount[]>;
  receipts: ReadonlyMap<string, MemberReceipt[]>;
  assets: ReadonlyMap<string, MediaAssetRow>;
  sign: SignAsset;
}

const upper = (value: string) => value.toUpperCase();

/**
 * A message as clients see it. A deleted message keeps its place with no words and no attachments
 * (its text key is destroyed; the files are not shown any more). `replyToId` is kept for the
 * `replyTo` field's resolver, which reads the replied message under the same visibility rules.
 */
export function toChatMessage(row: ChatMessageRow, facts: MessagePageFacts) {
  const deleted = row.deleted_at !== null;
  const sender = row.sender_id;
  const position = BigInt(row.position);
  // Receipts count the other active members who were there when it was sent: the sender has always
  // "read" their own message, and someone added later never saw it (their marks are past it anyway).
  const others = (facts.receipts.get(row.conversation_id) ?? []).filter(
    (m) => m.userId !== sender && m.joined <= position,
  );
  const readBy = others.filter((m) => m.read >= position).length;
  const deliveredTo = others.filter((m) => m.delivered >= position).length;
  return {
    id: row.message_id,
    conversationId: row.conversation_id,
    position: row.position,
    senderId: sender,
    text: deleted ? null : row.text,
    replyToId: row.reply_to_id,
    attachments: deleted
      ? []
      : row.attachments.map((attachment) =>
          toAttachment(attachment, facts.assets.get(attachment.assetId), facts.sign),
        ),
    edited: row.revisions > 0 || row.edited_at !== null,
    editedAt: row.edited_at?.toISOString() ?? null,
    deleted,
    sentAt: row.sent_at.toISOString(),
    reactions: facts.reactions.get(row.message_id) ?? [],
    readByCount: readBy,
    readByOther: readBy > 0,
    deliveredToOther: deliveredTo > 0,
    deliveredToAll: others.length > 0 && deliveredTo === others.length,
  };
}

export type ChatMessageView = ReturnType<typeof toChatMessage>;

/**
 * An attachment with its asset's state now (it may have been deleted, or finished processing,
 * since the message was sent). URLs are functions the field resolvers call when asked for, so
 * nothing is signed for nothing; both are null until the asset is ready.
 */
export function toAttachment(
  attachment: { assetId: string; kind: string },
  asset: MediaAssetRow | undefined,
  sign: SignAsset,
) {
  const ready = asset?.status === 'ready' ? asset : null;
  const main = ready && mainRendition(attachment.kind, ready);
  const thumbnail = ready?.manifest ? thumbnailRendition(attachment.kind, ready.manifest) : null;
  return {
    assetId: attachment.assetId,
    kind: upper(attachment.kind),
    status: upper(asset?.status ?? 'deleted'),
    fileName: asset?.file_name ?? null,
    contentType: asset?.detected_content_type ?? asset?.content_type ?? null,
    size: asset?.size === null || asset?.size === undefined ? null : Number(asset.size),
    durationSeconds: asset?.probe?.durationSeconds ?? null,
    width: asset?.probe?.width ?? null,
    height: asset?.probe?.height ?? null,
    url: ready && main ? () => sign(ready, main) : null,
    thumbnailUrl: ready && thumbnail ? () => sign(ready, thumbnail) : null,
  };
}

export type ChatAttachmentView = ReturnType<typeof toAttachment>;

/**
 * What a client shows or plays: an image's largest WebP, a video's HLS master (else its largest
 * MP4), a voice note's AAC; a file (or anything without renditions) downloads as uploaded.
 */
function mainRendition(kind: string, asset: MediaAssetRow): string {
  const renditions = asset.manifest?.renditions ?? [];
  const widest = (candidates: typeof renditions) =>
    [...candidates].sort((a, b) => (b.width ?? 0) - (a.width ?? 0))[0]?.name;
  if (kind === 'image') {
    const images = renditions.filter((r) => r.kind === 'image' && r.name.startsWith('image-'));
    return (
      widest(images.filter((r) => r.contentType === 'image/webp')) ?? widest(images) ?? ORIGINAL_RENDITION
    );
  }
  if (kind === 'video') {
    return (
      asset.manifest?.hlsMaster ?? widest(renditions.filter((r) => r.kind === 'video')) ?? ORIGINAL_RENDITION
    );
  }
  if (kind === 'voice') {
    const audio = renditions.filter((r) => r.kind === 'audio');
    return (audio.find((r) => r.contentType === 'audio/mp4') ?? audio[0])?.name ?? ORIGINAL_RENDITION;
  }
  return ORIGINAL_RENDITION;
}

/** A small still for a message bubble: an image's square crop, a video's poster; none otherwise. */
function thumbnailRendition(kind: string, manifest: Manifest): string | null {
  const named = (name: string) => manifest.renditions.find((r) => r.name === name)?.name ?? null;
  if (kind === 'image') {
    const smallest = manifest.renditions
      .filter((r) => r.kind === 'image' && r.name.startsWith('image-') && r.contentType === 'image/webp')
      .sort((a, b) => (a.width ?? 0) - (b.width ?? 0))[0]?.name;
    return named('square-256-webp') ?? smallest ?? null;
  }
  if (kind === 'video') {
    const thumbnails = manifest.renditions.filter(
      (r) => r.kind === 'thumbnail' && r.contentType === 'image/webp',
    );
    return manifest.poster ?? thumbnails[0]?.name ?? null;
  }
  return null;
}
