import type { Actor, Decider, DecisionContext } from '../shared/decider.ts';
import { conflict, forbidden, notFound, validation } from '../shared/domain-error.ts';
import { brandAccessOf, recordedAs } from './brand-access.ts';
import type { BrandCommand } from './brand-commands.ts';
import { type BrandEvent, type BrandSettings, brandEventCatalogue } from './brand-events.ts';
import {
  type Brand,
  type BrandState,
  brandAdminCount,
  evolveBrand,
  initialBrandState,
} from './brand-state.ts';
import {
  allowedContentTypes,
  brandDescription,
  brandIdentity,
  brandName,
  channels,
  claimText,
  countryCode,
  languageTag,
  reasonText,
  WORKFLOW_STEP_ROLES,
  workflowShape,
} from './brand-values.ts';
import { answer, invite, revoke } from './invitation-decisions.ts';
import { deepEqual, validOr } from './validate.ts';

export const brandDecider: Decider<BrandCommand, BrandEvent, BrandState> = {
  initialState: initialBrandState,
  evolve: evolveBrand,
  decide(command, state, context) {
    if (command.type === 'CreateBrand') return create(command, state, context);
    // The invitee answers for themselves: they are not (yet) a member, let alone an admin.
    if (command.type === 'AcceptBrandInvitation' || command.type === 'DeclineBrandInvitation') {
      return answer(command, state, context.actor, context.now);
    }
    if (state.status === 'none') throw notFound('BRAND_NOT_FOUND', 'No such brand');
    requireBrandAdmin(state, context.actor);
    if (state.status === 'archived') throw conflict('BRAND_ARCHIVED', 'This brand is archived');
    return decideForBrand(command, state, recordedAs(context.actor), context.now);
  },
};

/** The brand aggregate as the command pipeline takes it (an `AggregateSpec`). */
export const brandAggregate = { decider: brandDecider, catalogue: brandEventCatalogue };

function create(
  command: Extract<BrandCommand, { type: 'CreateBrand' }>,
  state: BrandState,
  { actor }: DecisionContext,
): BrandEvent[] {
  // Brands are provisioned by the platform: neither brand admins nor sagas make new ones.
  if (actor.kind !== 'user' || actor.role !== 'admin') {
    throw forbidden('ADMIN_ONLY', 'Only a platform admin can create brands');
  }
  if (state.status !== 'none') throw conflict('BRAND_EXISTS', 'This brand already exists');
  const settings: BrandSettings = {
    name: validSetting('name', command.name),
    description: validSetting('description', command.description ?? ''),
    identity: validSetting(
      'identity',
      command.identity ?? { toneOfVoice: '', guardrails: [], colours: [], logoUrl: null },
    ),
    country: validSetting('country', command.country),
    language: validSetting('language', command.language),
    allowedContentTypes: validSetting('allowedContentTypes', command.allowedContentTypes ?? []),
    workflow: validSetting('workflow', command.workflow ?? { steps: [] }),
    channels: validSetting('channels', command.channels ?? []),
  };
  const { brandId } = command;
  return [
    { type: 'BrandCreated', data: { brandId, ...settings, createdBy: actor.userId } },
    // The creator administers the brand until they hand it over.
    {
      type: 'BrandMemberAdded',
      data: { brandId, userId: actor.userId, role: 'admin', addedBy: actor.userId },
    },
  ];
}

function decideForBrand(
  command: Exclude<
    BrandCommand,
    { type: 'CreateBrand' | 'AcceptBrandInvitation' | 'DeclineBrandInvitation' }
  >,
  brand: Brand,
  by: string,
  now: Date,
): BrandEvent[] {
  const { brandId } = brand;
  switch (command.type) {
    case 'UpdateBrand': {
      const changes = effectiveChanges(brand, command.changes);
      if (Object.keys(changes).length === 0) return [];
      return [{ type: 'BrandUpdated', data: { brandId, changes } }];
    }
    case 'ArchiveBrand': {
      const reason = validOr(reasonText.nullable(), command.reason ?? null, 'INVALID_REASON', 'reason');
      return [{ type: 'BrandArchived', data: { brandId, archivedBy: by, reason } }];
    }
    case 'AddBrandMember':
      if (brand.members[command.userId] !== undefined) {
        throw conflict('MEMBER_EXISTS', 'This user is already a member of the brand');
      }
      return [
        {
          type: 'BrandMemberAdded',
          data: { brandId, userId: command.userId, role: command.role, addedBy: by },
        },
      ];
    case 'ChangeBrandMemberRole': {
      const current = requireMember(brand, command.userId);
      if (current === command.role) return [];
      if (current === 'admin') requireAnotherAdmin(brand);
      return [
        {
          type: 'BrandMemberRoleChanged',
          data: { brandId, userId: command.userId, role: command.role, changedBy: by },
        },
      ];
    }
    case 'RemoveBrandMember': {
      if (requireMember(brand, command.userId) === 'admin') requireAnotherAdmin(brand);
      return [{ type: 'BrandMemberRemoved', data: { brandId, userId: command.userId, removedBy: by } }];
    }
    case 'AddMasterClaim': {
      // Removed claims keep their ids: a claim id names one claim for the brand's whole history.
      if (brand.claims[command.claimId]) throw conflict('CLAIM_EXISTS', 'This claim id is already used');
      const country = validOr(countryCode, command.country, 'INVALID_COUNTRY', 'country');
      const text = validOr(claimText, command.text, 'INVALID_CLAIM_TEXT', 'claim text');
      return [
        { type: 'MasterClaimAdded', data: { brandId, claimId: command.claimId, country, text, addedBy: by } },
      ];
    }
    case 'RemoveMasterClaim': {
      const claim = brand.claims[command.claimId];
      if (!claim) throw notFound('CLAIM_NOT_FOUND', 'No such claim on this brand');
      if (claim.removed) return [];
      return [{ type: 'MasterClaimRemoved', data: { brandId, claimId: claim.claimId, removedBy: by } }];
    }
    case 'InviteBrandMember':
      return invite(brand, command, by, now);
    case 'RevokeBrandInvitation':
      return revoke(brand, command.invitationId, by);
    default: {
      const unknown: never = command;
      throw new Error(`Unknown brand command ${JSON.stringify(unknown)}`);
    }
  }
}

function requireBrandAdmin(brand: Brand, actor: Actor): void {
  if (brandAccessOf(brand, actor) !== 'admin') {
    throw forbidden('BRAND_ADMIN_ONLY', 'Only a brand admin can change this brand');
  }
}

function requireMember(brand: Brand, userId: string) {
  const role = brand.members[userId];
  if (role === undefined) throw notFound('MEMBER_NOT_FOUND', 'This user is not a member of the brand');
  return role;
}

/** A brand always keeps one admin of its own, so it never depends on platform admins to be run. */
function requireAnotherAdmin(brand: Brand): void {
  if (brandAdminCount(brand) <= 1) throw conflict('LAST_ADMIN', 'The last brand admin cannot be removed');
}

/** Each setting with the schema it is stored with and the reason a bad value is refused with. */
const SETTINGS: { [Key in keyof BrandSettings]: (value: unknown) => BrandSettings[Key] } = {
  name: (value) => validOr(brandName, value, 'INVALID_NAME', 'name'),
  description: (value) => validOr(brandDescription, value, 'INVALID_DESCRIPTION', 'description'),
  identity: (value) => validOr(brandIdentity, value, 'INVALID_IDENTITY', 'brand identity'),
  country: (value) => validOr(countryCode, value, 'INVALID_COUNTRY', 'country'),
  language: (value) => validOr(languageTag, value, 'INVALID_LANGUAGE', 'language'),
  allowedContentTypes: (value) =>
    validOr(allowedContentTypes, value, 'INVALID_CONTENT_TYPES', 'allowed content types'),
  workflow: (value) => {
    const parsed = validOr(workflowShape, value, 'INVALID_WORKFLOW', 'workflow');
    const unfit = parsed.steps.find((step) => !WORKFLOW_STEP_ROLES.includes(step.role));
    if (unfit) {
      throw validation('INVALID_STEP_ROLE', 'A workflow step is signed off by an approver or an admin', {
        step: unfit.name,
        role: unfit.role,
      });
    }
    return parsed;
  },
  channels: (value) => validOr(channels, value, 'INVALID_CHANNELS', 'channels'),
};

const validSetting = <Key extends keyof BrandSettings>(key: Key, value: unknown): BrandSettings[Key] =>
  SETTINGS[key](value);

/** The settings the update really changes, validated; unchanged ones are dropped. */
function effectiveChanges(brand: Brand, changes: Partial<BrandSettings>): Partial<BrandSettings> {
  const effective: Partial<BrandSettings> = {};
  const consider = <Key extends keyof BrandSettings>(key: Key) => {
    if (changes[key] === undefined) return;
    const value = validSetting(key, changes[key]);
    if (!deepEqual(value, brand[key])) effective[key] = value;
  };
  consider('name');
  consider('description');
  consider('identity');
  consider('country');
  consider('language');
  consider('allowedContentTypes');
  consider('workflow');
  consider('channels');
  return effective;
}
