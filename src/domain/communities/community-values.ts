import { z } from 'zod';
import { validOr } from '../brands/validate.ts';
import type { Actor } from '../shared/decider.ts';
import { forbidden } from '../shared/domain-error.ts';

/**
 * Who can find and enter a community: anyone (`public`: joining is immediate), anyone asking
 * (`request_to_join`: a moderator approves), or only those invited (`invite_only`: to everyone
 * else it does not exist).
 */
export const COMMUNITY_VISIBILITIES = ['public', 'request_to_join', 'invite_only'] as const;
export type CommunityVisibility = (typeof COMMUNITY_VISIBILITIES)[number];

/** Where a person stands with a community, as their membership stream tells it. */
export const MEMBERSHIP_STATUSES = ['none', 'requested', 'invited', 'member', 'left', 'banned'] as const;
export type MembershipStatus = (typeof MEMBERSHIP_STATUSES)[number];

/** How a member came in. */
export const JOIN_ROUTES = ['creation', 'open', 'approval', 'invitation'] as const;
export type JoinRoute = (typeof JOIN_ROUTES)[number];

export const MAX_NAME_LENGTH = 100;
export const MAX_DESCRIPTION_LENGTH = 2_000;
export const MAX_RULES_LENGTH = 10_000;
export const MAX_BAN_REASON_LENGTH = 500;
/** Trust scores run 0..100 (see docs/learning-progress-and-trust.md); a minimum of 0 gates nothing. */
export const MAX_TRUST = 100;

const codePoints = (text: string) => [...text].length;
const bounded = (max: number) =>
  z
    .string()
    .trim()
    .refine((text) => codePoints(text) <= max, `at most ${max} characters`);

/** A community's name: trimmed, 1..MAX_NAME_LENGTH characters. */
export const communityName = bounded(MAX_NAME_LENGTH).pipe(z.string().min(1));
/**
 * Description and rules: trimmed, may be empty. Null once the community's key is destroyed (the
 * community erased), so stored events still read.
 */
export const communityDescription = bounded(MAX_DESCRIPTION_LENGTH).nullable();
export const communityRules = bounded(MAX_RULES_LENGTH).nullable();
/** A BCP 47 language tag as people write them (`en`, `pt-BR`, `sw`), lower-cased primary subtag. */
export const communityLanguage = z
  .string()
  .trim()
  .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$/u, 'a language tag such as en or pt-BR');
/** A free region name or code (`Nairobi`, `KE`, `East Africa`): 1..64 characters. */
export const communityRegion = bounded(64).pipe(z.string().min(1));
export const trustMinimum = z.number().int().min(0).max(MAX_TRUST);
/** Why someone was banned: 1..MAX_BAN_REASON_LENGTH characters; null once its writer's key is gone. */
export const banReason = bounded(MAX_BAN_REASON_LENGTH).pipe(z.string().min(1)).nullable();

/** Everything a community's owner sets: what `CommunityCreated` and `CommunitySettingsChanged` carry. */
export interface CommunitySettings {
  name: string;
  description: string | null;
  language: string;
  region: string;
  visibility: CommunityVisibility;
  rules: string | null;
  minTrustToStartThreads: number;
  minTrustToPostLinks: number;
}

export const sameId = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * The person a community command is by: a signed-in user, or the owner of the API key that sends
 * it (a bot acting for its owner). Processes hold no place in a community.
 */
export function communityPersonOf(actor: Actor): string {
  if (actor.kind === 'user') return actor.userId;
  if (actor.kind === 'integration') return actor.ownerId;
  if (actor.kind === 'anonymous') throw forbidden('SIGN_IN_REQUIRED', 'Sign in first');
  throw forbidden('PEOPLE_ONLY', 'Only a person acts in a community');
}

/**
 * The settings as stored: each field checked with the schema its event stores it with, a bad one
 * a VALIDATION error naming it (INVALID_NAME, INVALID_LANGUAGE, …). Texts come back trimmed, and
 * an empty description or rules text as null.
 */
export function validSettings(settings: CommunitySettings): CommunitySettings {
  const text = (value: string | null, schema: z.ZodType<string | null>, reason: string, what: string) => {
    const parsed = validOr(schema, value, reason, what);
    return parsed === null || parsed === '' ? null : parsed;
  };
  return {
    name: validOr(communityName, settings.name, 'INVALID_NAME', 'name'),
    description: text(settings.description, communityDescription, 'INVALID_DESCRIPTION', 'description'),
    language: validOr(communityLanguage, settings.language, 'INVALID_LANGUAGE', 'language'),
    region: validOr(communityRegion, settings.region, 'INVALID_REGION', 'region'),
    visibility: validOr(
      z.enum(COMMUNITY_VISIBILITIES),
      settings.visibility,
      'INVALID_VISIBILITY',
      'visibility',
    ),
    rules: text(settings.rules, communityRules, 'INVALID_RULES', 'rules'),
    minTrustToStartThreads: validOr(
      trustMinimum,
      settings.minTrustToStartThreads,
      'INVALID_TRUST_MINIMUM',
      'minimum trust to start threads',
    ),
    minTrustToPostLinks: validOr(
      trustMinimum,
      settings.minTrustToPostLinks,
      'INVALID_TRUST_MINIMUM',
      'minimum trust to post links',
    ),
  };
}
