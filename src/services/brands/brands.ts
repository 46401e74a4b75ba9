import { randomUUID } from 'node:crypto';
import { loadAggregate } from '../../commands/load-aggregate.ts';
import { brandAccessOf } from '../../domain/brands/brand-access.ts';
import type { BrandCommand } from '../../domain/brands/brand-commands.ts';
import { brandAggregate } from '../../domain/brands/brand-decider.ts';
import type { BrandState } from '../../domain/brands/brand-state.ts';
import type { Channel } from '../../domain/brands/brand-values.ts';
import { brandStream } from '../../domain/brands/streams.ts';
import { validation } from '../../domain/shared/domain-error.ts';
import type { PublishingDeps } from '../publishing-deps.ts';
import { commandIdFor, envelope, execute, nowFrom, type RequestContext } from '../shared/command-context.ts';
import {
  addClaimInput,
  archiveBrandInput,
  type ChannelInput,
  createBrandInput,
  memberInput,
  removeClaimInput,
  removeMemberInput,
  updateBrandInput,
} from './inputs.ts';
import { requireAllowedWebhookTargets } from './webhook-targets.ts';

/** Brand use cases: parse the input, issue the command, return the brand's id. */
export async function createBrand(deps: PublishingDeps, context: RequestContext, raw: unknown) {
  const parsed = createBrandInput.parse(raw);
  const { input } = parsed;
  const commandId = commandIdFor(context, 'createBrand', parsed);
  // The brand id derives from the command id, so a retried creation finds the brand it made.
  const brandId = commandId;
  const channels = withIds(input.channels ?? [], []);
  // Only platform admins create brands (the decider refuses anyone else, and the check is not theirs to hear).
  if (context.actor.kind === 'user' && context.actor.role === 'admin') {
    await requireAllowedWebhookTargets(channels, deps.outbound);
  }
  await issue(deps, context, brandId, commandId, {
    type: 'CreateBrand',
    brandId,
    name: input.name,
    description: input.description ?? '',
    identity: { ...input.identity, logoUrl: input.identity.logoUrl ?? null },
    country: input.country,
    language: input.language,
    allowedContentTypes: input.allowedContentTypes,
    workflow: { steps: input.workflow },
    channels,
  });
  return brandId;
}

export async function updateBrand(deps: PublishingDeps, context: RequestContext, raw: unknown) {
  const parsed = updateBrandInput.parse(raw);
  const { id, input } = parsed;
  let channels: Channel[] | undefined;
  if (input.channels) {
    const brand = await loadBrand(deps, id);
    channels = withIds(input.channels, brand.status === 'none' ? [] : brand.channels);
    // Only those the decider lets change the channels hear what the check found: to anyone else
    // it would tell which host names resolve inside Chronicle's network.
    if (brandAccessOf(brand, context.actor) === 'admin') {
      await requireAllowedWebhookTargets(channels, deps.outbound);
    }
  }
  await issue(deps, context, id, commandIdFor(context, `updateBrand:${id}`, parsed), {
    type: 'UpdateBrand',
    changes: {
      ...(input.name != null ? { name: input.name } : {}),
      ...(input.description != null ? { description: input.description } : {}),
      ...(input.identity ? { identity: { ...input.identity, logoUrl: input.identity.logoUrl ?? null } } : {}),
      ...(input.country != null ? { country: input.country } : {}),
      ...(input.language != null ? { language: input.language } : {}),
      ...(input.allowedContentTypes ? { allowedContentTypes: input.allowedContentTypes } : {}),
      ...(input.workflow ? { workflow: { steps: input.workflow } } : {}),
      ...(channels ? { channels } : {}),
    },
  });
  return id;
}

export async function archiveBrand(deps: PublishingDeps, context: RequestContext, raw: unknown) {
  const parsed = archiveBrandInput.parse(raw);
  const { id, reason } = parsed;
  await issue(deps, context, id, commandIdFor(context, `archiveBrand:${id}`, parsed), {
    type: 'ArchiveBrand',
    reason: reason ?? null,
  });
  return id;
}

export async function addBrandMember(deps: PublishingDeps, context: RequestContext, raw: unknown) {
  const parsed = memberInput.parse(raw);
  const { brandId, userId, role } = parsed;
  const operation = `addBrandMember:${brandId}:${userId}`;
  await issue(deps, context, brandId, commandIdFor(context, operation, parsed), {
    type: 'AddBrandMember',
    userId,
    role,
  });
  return brandId;
}

export async function changeBrandMemberRole(deps: PublishingDeps, context: RequestContext, raw: unknown) {
  const parsed = memberInput.parse(raw);
  const { brandId, userId, role } = parsed;
  const operation = `changeBrandMemberRole:${brandId}:${userId}`;
  await issue(deps, context, brandId, commandIdFor(context, operation, parsed), {
    type: 'ChangeBrandMemberRole',
    userId,
    role,
  });
  return brandId;
}

export async function removeBrandMember(deps: PublishingDeps, context: RequestContext, raw: unknown) {
  const parsed = removeMemberInput.parse(raw);
  const { brandId, userId } = parsed;
  const operation = `removeBrandMember:${brandId}:${userId}`;
  await issue(deps, context, brandId, commandIdFor(context, operation, parsed), {
    type: 'RemoveBrandMember',
    userId,
  });
  return brandId;
}

export async function addMasterClaim(deps: PublishingDeps, context: RequestContext, raw: unknown) {
  const parsed = addClaimInput.parse(raw);
  const { brandId, country, text } = parsed;
  const commandId = commandIdFor(context, `addMasterClaim:${brandId}`, parsed);
  await issue(deps, context, brandId, commandId, {
    type: 'AddMasterClaim',
    claimId: commandId,
    country,
    text,
  });
  return brandId;
}

export async function removeMasterClaim(deps: PublishingDeps, context: RequestContext, raw: unknown) {
  const parsed = removeClaimInput.parse(raw);
  const { brandId, claimId } = parsed;
  const operation = `removeMasterClaim:${brandId}:${claimId}`;
  await issue(deps, context, brandId, commandIdFor(context, operation, parsed), {
    type: 'RemoveMasterClaim',
    claimId,
  });
  return brandId;
}

/** The brand as the write side sees it (for services that decide on another aggregate). */
export async function loadBrand(deps: PublishingDeps, brandId: string): Promise<BrandState> {
  return (await loadAggregate(deps, brandAggregate, brandStream(brandId))).state;
}

/** Every brand command goes through here: the pipeline on the brand's stream, then read-your-writes. */
export async function issue(
  deps: PublishingDeps,
  context: RequestContext,
  brandId: string,
  commandId: string,
  command: BrandCommand,
) {
  return execute(
    deps,
    brandAggregate,
    brandStream(brandId),
    envelope(context, commandId, nowFrom(deps), command),
  );
}

/**
 * Channels as the domain stores them: a channel that stays (same kind and URL) keeps its id, so
 * its signing key and its feed do not change; a new one gets a fresh id.
 */
function withIds(inputs: readonly ChannelInput[], current: readonly Channel[]): Channel[] {
  return inputs.map((input) => {
    if (input.kind === 'feed') {
      return { channelId: current.find((c) => c.kind === 'feed')?.channelId ?? randomUUID(), kind: 'feed' };
    }
    if (!input.url) throw validation('WEBHOOK_URL_REQUIRED', 'A webhook channel needs a url');
    const kept = current.find((c) => c.kind === 'webhook' && c.url === input.url);
    return { channelId: kept?.channelId ?? randomUUID(), kind: 'webhook', url: input.url };
  });
}
