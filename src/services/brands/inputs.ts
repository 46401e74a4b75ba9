import { z } from 'zod';
import { BRAND_ROLES, CHANNEL_KINDS } from '../../domain/brands/brand-values.ts';

/**
 * The shapes the API accepts for brands. Values are checked in depth by the decider (it owns the
 * rules); these only make sure the input has the right shape and bounded sizes.
 */
const idempotencyKey = z.string().min(8).max(128).nullish();
const text = (max: number) => z.string().max(max);

const identity = z.object({
  toneOfVoice: text(5_000),
  guardrails: z.array(text(500)).max(50),
  colours: z.array(text(7)).max(20),
  logoUrl: text(2_000).nullish(),
});
const workflowStep = z.object({ name: text(100), role: z.enum(BRAND_ROLES) });
/** Channels are given without ids: the service keeps the id of a channel that stays. */
const channel = z.object({ kind: z.enum(CHANNEL_KINDS), url: text(2_000).nullish() });

const settings = {
  name: text(100),
  description: text(2_000).nullish(),
  identity,
  country: text(2),
  language: text(35),
  allowedContentTypes: z.array(text(64)).max(50),
  workflow: z.array(workflowStep).max(10),
  channels: z.array(channel).max(20).nullish(),
};

export const createBrandInput = z.object({ input: z.object(settings), idempotencyKey });

export const updateBrandInput = z.object({
  id: z.uuid(),
  input: z
    .object({
      name: settings.name.nullish(),
      description: settings.description,
      identity: identity.nullish(),
      country: settings.country.nullish(),
      language: settings.language.nullish(),
      allowedContentTypes: settings.allowedContentTypes.nullish(),
      workflow: settings.workflow.nullish(),
      channels: settings.channels,
    })
    .refine((input) => Object.values(input).some((value) => value !== undefined && value !== null), {
      message: 'give at least one setting to change',
    }),
  idempotencyKey,
});

export const archiveBrandInput = z.object({ id: z.uuid(), reason: text(2_000).nullish(), idempotencyKey });

export const memberInput = z.object({
  brandId: z.uuid(),
  userId: z.uuid(),
  role: z.enum(BRAND_ROLES),
  idempotencyKey,
});

export const removeMemberInput = z.object({ brandId: z.uuid(), userId: z.uuid(), idempotencyKey });

export const addClaimInput = z.object({
  brandId: z.uuid(),
  country: text(2),
  text: text(2_000),
  idempotencyKey,
});

export const removeClaimInput = z.object({ brandId: z.uuid(), claimId: z.uuid(), idempotencyKey });

/** Trimmed first, as accounts are: ` Ada@Example.org` invites the account `ada@example.org`. */
export const inviteInput = z.object({
  brandId: z.uuid(),
  email: z.string().trim().max(254).pipe(z.email()),
  role: z.enum(BRAND_ROLES),
  idempotencyKey,
});

/** An invitation is named by its id; the API finds the brand it belongs to. */
export const invitationInput = z.object({ brandId: z.uuid(), invitationId: z.uuid(), idempotencyKey });

export type ChannelInput = z.infer<typeof channel>;
