import { z } from 'zod';

/**
 * The values a brand is made of, as zod schemas. The event schemas are built from them and the
 * decider validates commands with them, so what is accepted and what is stored never drift apart.
 */

export const BRAND_ROLES = ['viewer', 'editor', 'approver', 'admin'] as const;
export type BrandRole = (typeof BRAND_ROLES)[number];
export const brandRole = z.enum(BRAND_ROLES);

/** Who may sign off a workflow step: reviewing is an approver's or an admin's job. */
export const WORKFLOW_STEP_ROLES: readonly BrandRole[] = ['approver', 'admin'];
export const MAX_WORKFLOW_STEPS = 10;

export const brandName = z.string().trim().min(1).max(100);
export const brandDescription = z.string().max(2000);

/** ISO 3166-1 alpha-2, upper-case (`GB`, `FR`). */
export const countryCode = z.string().regex(/^[A-Z]{2}$/);
/** BCP-47-ish: a language subtag with optional script or region subtags (`en`, `en-GB`, `zh-Hant-TW`). */
export const languageTag = z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$/);

/** An absolute http(s) URL: webhooks and logos are fetched, so other schemes are refused. */
export const httpUrl = z.url({ protocol: /^https?$/ }).max(2000);

export const hexColour = z.string().regex(/^#[0-9a-fA-F]{6}$/);

export const brandIdentity = z.object({
  toneOfVoice: z.string().max(5000),
  guardrails: z.array(z.string().trim().min(1).max(500)).max(50),
  colours: z.array(hexColour).max(20),
  logoUrl: httpUrl.nullable(),
});
export type BrandIdentity = z.infer<typeof brandIdentity>;

export const contentTypeName = z.string().trim().min(1).max(64);
export const allowedContentTypes = z
  .array(contentTypeName)
  .max(50)
  .refine((types) => new Set(types).size === types.length, 'content types must be unique');

const stepShape = { name: z.string().trim().min(1).max(100), role: brandRole };
/** A step as stored: signed off by an approver or an admin. */
export const workflowStep = z.object({
  ...stepShape,
  role: brandRole.refine(
    (role) => WORKFLOW_STEP_ROLES.includes(role),
    'a step is signed off by an approver or admin',
  ),
});
export type WorkflowStep = z.infer<typeof workflowStep>;
export const workflow = z.object({ steps: z.array(workflowStep).max(MAX_WORKFLOW_STEPS) });
export type Workflow = z.infer<typeof workflow>;
/** The workflow's shape without the role rule, so the decider can refuse a bad role by name. */
export const workflowShape = z.object({ steps: z.array(z.object(stepShape)).max(MAX_WORKFLOW_STEPS) });

export const channel = z.discriminatedUnion('kind', [
  z.object({ channelId: z.uuid(), kind: z.literal('webhook'), url: httpUrl }),
  z.object({ channelId: z.uuid(), kind: z.literal('feed') }),
]);
export type Channel = z.infer<typeof channel>;
export type ChannelKind = Channel['kind'];
export const CHANNEL_KINDS = ['webhook', 'feed'] as const satisfies readonly ChannelKind[];
export const channels = z
  .array(channel)
  .max(20)
  .refine(
    (list) => new Set(list.map((each) => each.channelId)).size === list.length,
    'channel ids must be unique',
  );

export const claimText = z.string().trim().min(1).max(2000);

/** An invitee's address as events keep it: the hex HMAC-SHA256 of the normalised address. */
export const emailHash = z.string().regex(/^[0-9a-f]{64}$/);
/** The masked address brand admins recognise an invitation by (`a•••@example.org`). */
export const emailHint = z.string().min(1).max(300);

/** Free text that explains an action (why a brand was archived). */
export const reasonText = z.string().max(2000);

/**
 * Who did something, as recorded in `...By` fields: a user's id (an API key acts for its owner),
 * or `system:<process>` when a saga or other internal process acted.
 */
export const actorRef = z.union([z.uuid(), z.string().regex(/^system:.+$/)]);
