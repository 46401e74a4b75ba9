import { feedPath } from '../../channels/feed.ts';
import { channelSigningSecret } from '../../channels/webhook-signature.ts';
import type { BrandRow, ClaimRow, MemberRow } from './read-model-queries.ts';

const iso = (value: Date | null) => (value ? value.toISOString() : null);

/** The brand as GraphQL shows it; webhook signing keys only to the brand's admins. */
export function toBrand(row: BrandRow, viewerIsAdmin: boolean, authSecret: Uint8Array) {
  const myRole = viewerIsAdmin ? 'admin' : row.my_role;
  return {
    id: row.brand_id,
    name: row.name,
    description: row.description,
    identity: row.identity,
    country: row.country,
    language: row.language,
    allowedContentTypes: row.allowed_content_types,
    workflow: row.workflow.steps,
    channels: row.channels.map((channel) =>
      channel.kind === 'webhook'
        ? {
            id: channel.channelId,
            kind: channel.kind,
            url: channel.url,
            signingSecret: myRole === 'admin' ? channelSigningSecret(authSecret, channel.channelId) : null,
            feedUrl: null,
          }
        : {
            id: channel.channelId,
            kind: channel.kind,
            url: null,
            signingSecret: null,
            feedUrl: feedPath(row.brand_id),
          },
    ),
    myRole,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    archivedAt: iso(row.archived_at),
    archiveReason: row.archive_reason,
  };
}

export type BrandView = ReturnType<typeof toBrand>;

export const brandCursor = (row: BrandRow) => [row.sort_key, row.brand_id];

export const toMember = (row: MemberRow) => ({
  userId: row.user_id,
  role: row.role,
  addedAt: row.added_at.toISOString(),
});

export const memberCursor = (row: MemberRow) => [row.sort_key, row.user_id];

export const toClaim = (row: ClaimRow) => ({
  id: row.claim_id,
  country: row.country,
  text: row.text,
  addedAt: row.added_at.toISOString(),
});
