import { z } from 'zod';
import { COMMUNITY_VISIBILITIES } from '../../domain/communities/community-values.ts';
import { COMMUNITY_ROLES } from '../../domain/communities/policy.ts';

/**
 * Inputs as every community use case takes them. Ids are UUIDs lower-cased at the edge (events,
 * streams and deciders compare text; the read model's uuid columns fold case). Texts are bounded
 * loosely: the decider's reasons (INVALID_NAME, INVALID_LANGUAGE…) are what a caller should see,
 * these only keep an absurd request from being read at all.
 */
export const communityId = z.uuid().transform((id) => id.toLowerCase());
export const idempotencyKey = z.string().min(8).max(128).nullish();

/** The API spells enums in capitals (GraphQL enum values), the domain in lower case. */
const lowerEnum = <const Values extends readonly [string, ...string[]]>(values: Values) =>
  z
    .string()
    .transform((value) => value.toLowerCase())
    .pipe(z.enum(values));
export const visibility = lowerEnum(COMMUNITY_VISIBILITIES);
export const role = lowerEnum(COMMUNITY_ROLES);

const text = z.string().max(20_000);
const trust = z.number().int();

export const createCommunityInput = z.object({
  input: z.object({
    name: text,
    description: text.nullish(),
    language: text,
    region: text,
    visibility,
    rules: text.nullish(),
    minTrustToStartThreads: trust.nullish(),
    minTrustToPostLinks: trust.nullish(),
    idempotencyKey,
  }),
});

/** Fields left out keep their values; a null description or rules text clears it. */
export const updateSettingsInput = z.object({
  communityId,
  input: z.object({
    name: text.nullish(),
    description: text.nullish(),
    language: text.nullish(),
    region: text.nullish(),
    visibility: visibility.nullish(),
    rules: text.nullish(),
    minTrustToStartThreads: trust.nullish(),
    minTrustToPostLinks: trust.nullish(),
  }),
});

export const communityInput = z.object({ communityId });
export const memberInput = z.object({ communityId, userId: communityId });
export const banInput = memberInput.extend({ reason: text });
export const roleInput = memberInput.extend({ role });
export const eraseInput = z.object({ communityId, reason: text });
