import type { IdentityApp } from '../support/identity-app.ts';
import { fieldOf } from '../support/identity-app.ts';
import { makeAdmin, registerAndSignIn, type TestUser } from '../support/identity-operations.ts';

/** The GraphQL operations the brand and content tests use, in one place. */
export const BRAND_FIELDS = `id name country language allowedContentTypes myRole archivedAt
  workflow { name role } channels { id kind url signingSecret feedUrl }`;
export const CONTENT_FIELDS = `id brandId type title status version createdBy rejectionReason
  fields { key value } metadata { seoTitle seoDescription keywords }
  publishFailure { stage reasons }`;

export const CREATE_BRAND = `mutation ($input: CreateBrandInput!) { createBrand(input: $input) { ${BRAND_FIELDS} } }`;
export const ADD_MEMBER = `mutation ($brandId: ID!, $userId: ID!, $role: BrandRole!) {
  addBrandMember(brandId: $brandId, userId: $userId, role: $role) { id } }`;
export const CREATE_CONTENT = `mutation ($input: CreateContentInput!) { createContent(input: $input) { ${CONTENT_FIELDS} } }`;
export const UPDATE_CONTENT = `mutation ($id: ID!, $input: UpdateContentInput!) {
  updateContent(id: $id, input: $input) { ${CONTENT_FIELDS} } }`;
export const SUBMIT = `mutation ($id: ID!) { submitContent(id: $id) { ${CONTENT_FIELDS} } }`;
export const APPROVE = `mutation ($id: ID!, $comment: String) { approveContent(id: $id, comment: $comment) { ${CONTENT_FIELDS} } }`;
export const REJECT = `mutation ($id: ID!, $reason: String!) { rejectContent(id: $id, reason: $reason) { ${CONTENT_FIELDS} } }`;
export const PUBLISH = `mutation ($id: ID!, $at: String) { publishContent(id: $id, at: $at) { ${CONTENT_FIELDS} } }`;
export const CANCEL = `mutation ($id: ID!) { cancelPublish(id: $id) { ${CONTENT_FIELDS} } }`;
export const CONTENT = `query ($id: ID!) { content(id: $id) { ${CONTENT_FIELDS} } }`;
export const WORKFLOW = `query ($id: ID!) { workflowProgress(contentId: $id) {
  status
  review { version state currentStep steps { name role state by comment } }
  publication { id state publishAt failureStage failureReasons steps { step outcome detail }
                channels { channelId kind state location } } } }`;

export interface ContentView {
  id: string;
  brandId: string;
  title: string;
  status: string;
  version: number;
  rejectionReason: string | null;
  fields: { key: string; value: string }[];
  metadata: { seoTitle: string | null; seoDescription: string | null; keywords: string[] };
  publishFailure: { stage: string; reasons: string[] } | null;
}

export interface BrandTeam {
  admin: TestUser;
  editor: TestUser;
  approver: TestUser;
  secondApprover: TestUser;
  viewer: TestUser;
  outsider: TestUser;
  brandId: string;
}

export interface BrandOptions {
  workflow?: { name: string; role: string }[];
  channels?: { kind: string; url?: string }[];
  guardrails?: string[];
  country?: string;
}

/** A brand with a member in each role, and a user who belongs to none. */
export async function brandTeam(api: IdentityApp, options: BrandOptions = {}): Promise<BrandTeam> {
  const admin = await makeAdmin(api);
  const editor = await registerAndSignIn(api, 'Editor');
  const approver = await registerAndSignIn(api, 'Approver');
  const secondApprover = await registerAndSignIn(api, 'Second approver');
  const viewer = await registerAndSignIn(api, 'Viewer');
  const outsider = await registerAndSignIn(api, 'Outsider');
  const created = await api.gql(
    CREATE_BRAND,
    {
      input: {
        name: `Brand ${admin.id.slice(0, 8)}`,
        description: 'Oat drinks for everyone',
        identity: {
          toneOfVoice: 'Warm, playful and plain-spoken',
          guardrails: options.guardrails ?? ['no medical claims'],
          colours: ['#00aa55'],
        },
        country: options.country ?? 'GB',
        language: 'en-GB',
        allowedContentTypes: ['article', 'social_post'],
        workflow: options.workflow ?? [
          { name: 'Brand review', role: 'approver' },
          { name: 'Legal review', role: 'approver' },
        ],
        channels: options.channels ?? [],
      },
    },
    admin.accessToken,
  );
  const brandId = fieldOf<{ id: string }>(created, 'createBrand').id;
  const roles: [TestUser, string][] = [
    [editor, 'editor'],
    [approver, 'approver'],
    [secondApprover, 'approver'],
    [viewer, 'viewer'],
  ];
  for (const [user, role] of roles) {
    fieldOf(
      await api.gql(ADD_MEMBER, { brandId, userId: user.id, role }, admin.accessToken),
      'addBrandMember',
    );
  }
  return { admin, editor, approver, secondApprover, viewer, outsider, brandId };
}

export async function createArticle(
  api: IdentityApp,
  team: BrandTeam,
  title = 'Oat milk, explained',
  body = 'Our oat drink is made from Swedish oats and foams beautifully in coffee.',
): Promise<ContentView> {
  const response = await api.gql(
    CREATE_CONTENT,
    { input: { brandId: team.brandId, type: 'article', title, fields: [{ key: 'body', value: body }] } },
    team.editor.accessToken,
  );
  return fieldOf<ContentView>(response, 'createContent');
}

/** Submit, then both workflow steps approved by the two approvers. */
export async function approveThroughWorkflow(api: IdentityApp, team: BrandTeam, contentId: string) {
  fieldOf(await api.gql(SUBMIT, { id: contentId }, team.editor.accessToken), 'submitContent');
  fieldOf(await api.gql(APPROVE, { id: contentId }, team.approver.accessToken), 'approveContent');
  return fieldOf<ContentView>(
    await api.gql(APPROVE, { id: contentId }, team.secondApprover.accessToken),
    'approveContent',
  );
}
