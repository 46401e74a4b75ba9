import type { EventCodec } from '../../commands/event-codec.ts';
import { type BrandEvent, brandEventCatalogue } from '../../domain/brands/brand-events.ts';
import type { Projection, ReadModelWriter } from '../projection.ts';
import { occurredAt } from './occurred-at.ts';

/**
 * Brands, who belongs to each with which role, the master claims approved per country, and the
 * invitations to join (version 2 added them: the projection rebuilds once after the upgrade).
 */
export function brandsProjection(codec: Pick<EventCodec, 'decode'>): Projection {
  return {
    name: 'brands',
    version: 2,
    eventTypes: Object.keys(brandEventCatalogue),
    tables: {
      brands: {
        columns: `brand_id uuid not null, name text not null, description text not null,
          identity jsonb not null, country text not null, language text not null,
          allowed_content_types jsonb not null, workflow jsonb not null, channels jsonb not null,
          created_by uuid not null, created_at timestamptz not null, updated_at timestamptz not null,
          archived_at timestamptz, archive_reason text`,
        primaryKey: ['brand_id'],
        indexes: ['(created_at, brand_id)', '(lower(name))'],
      },
      brand_members: {
        columns: `brand_id uuid not null, user_id uuid not null, role text not null,
          added_at timestamptz not null`,
        primaryKey: ['brand_id', 'user_id'],
        indexes: ['(user_id, brand_id)', '(brand_id, added_at, user_id)'],
      },
      master_claims: {
        columns: `claim_id uuid not null, brand_id uuid not null, country text not null, text text not null,
          added_at timestamptz not null`,
        primaryKey: ['claim_id'],
        indexes: ['(brand_id, country, added_at)'],
      },
      // `status` is pending, accepted, declined or revoked; a pending one past `expires_at` is expired.
      brand_invitations: {
        columns: `invitation_id uuid not null, brand_id uuid not null, email_hash text not null,
          email_hint text not null, role text not null, status text not null, invited_by text not null,
          created_at timestamptz not null, expires_at timestamptz not null, answered_at timestamptz,
          answered_by text`,
        primaryKey: ['invitation_id'],
        indexes: ['(brand_id, status, created_at)', '(email_hash, status)'],
      },
    },
    async apply(recorded, writer) {
      const decoded = await codec.decode(brandEventCatalogue, recorded);
      if (decoded) await applyBrandEvent(decoded.event, writer, occurredAt(recorded));
    },
  };
}

async function applyBrandEvent(event: BrandEvent, writer: ReadModelWriter, at: string): Promise<void> {
  const brand = { brand_id: event.data.brandId };
  switch (event.type) {
    case 'BrandCreated': {
      const { brandId, name, description, identity, country, language } = event.data;
      writer.upsert('brands', {
        brand_id: brandId,
        name,
        description,
        identity,
        country,
        language,
        allowed_content_types: event.data.allowedContentTypes,
        workflow: event.data.workflow,
        channels: event.data.channels,
        created_by: event.data.createdBy,
        created_at: at,
        updated_at: at,
      });
      return;
    }
    case 'BrandUpdated': {
      const { allowedContentTypes, ...same } = event.data.changes;
      return writer.update('brands', brand, {
        ...same,
        ...(allowedContentTypes === undefined ? {} : { allowed_content_types: allowedContentTypes }),
        updated_at: at,
      });
    }
    case 'BrandArchived':
      return writer.update('brands', brand, {
        archived_at: at,
        archive_reason: event.data.reason,
        updated_at: at,
      });
    case 'BrandMemberAdded':
      writer.upsert('brand_members', {
        ...brand,
        user_id: event.data.userId,
        role: event.data.role,
        added_at: at,
      });
      return;
    case 'BrandMemberRoleChanged':
      return writer.update(
        'brand_members',
        { ...brand, user_id: event.data.userId },
        { role: event.data.role },
      );
    case 'BrandMemberRemoved':
      writer.delete('brand_members', { ...brand, user_id: event.data.userId });
      return;
    case 'MasterClaimAdded': {
      const { claimId, country, text } = event.data;
      writer.upsert('master_claims', { claim_id: claimId, ...brand, country, text, added_at: at });
      return;
    }
    case 'MasterClaimRemoved':
      writer.delete('master_claims', { claim_id: event.data.claimId });
      return;
    case 'BrandInvitationSent': {
      const { invitationId, emailHash, emailHint, role, invitedBy, expiresAt } = event.data;
      writer.upsert('brand_invitations', {
        invitation_id: invitationId,
        ...brand,
        email_hash: emailHash,
        email_hint: emailHint,
        role,
        status: 'pending',
        invited_by: invitedBy,
        created_at: at,
        expires_at: expiresAt,
      });
      return;
    }
    case 'BrandInvitationAccepted':
    case 'BrandInvitationDeclined':
      return writer.update(
        'brand_invitations',
        { invitation_id: event.data.invitationId },
        {
          status: event.type === 'BrandInvitationAccepted' ? 'accepted' : 'declined',
          answered_at: at,
          answered_by: event.data.userId,
        },
      );
    case 'BrandInvitationRevoked':
      return writer.update(
        'brand_invitations',
        { invitation_id: event.data.invitationId },
        { status: 'revoked', answered_at: at, answered_by: event.data.revokedBy },
      );
  }
}
