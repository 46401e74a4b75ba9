import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodes, fieldOf, type IdentityApp, startIdentityApp } from '../support/identity-app.ts';
import { registerAndSignIn } from '../support/identity-operations.ts';
import { ADD_MEMBER, BRAND_FIELDS, type BrandTeam, brandTeam, CREATE_BRAND } from './support.ts';

let api: IdentityApp;
let team: BrandTeam;
beforeAll(async () => {
  api = await startIdentityApp();
  team = await brandTeam(api, {
    channels: [{ kind: 'webhook', url: 'https://hooks.example.org/chronicle' }, { kind: 'feed' }],
  });
});
afterAll(async () => {
  await api?.close();
});

const BRAND = `query ($id: ID!) { brand(id: $id) { ${BRAND_FIELDS}
  members { totalCount nodes { role user { id displayName } } } masterClaims(country: "GB") { id text } } }`;
const BRANDS = `{ brands { totalCount nodes { id name myRole } } }`;
const UPDATE = `mutation ($id: ID!, $input: UpdateBrandInput!) { updateBrand(id: $id, input: $input) { ${BRAND_FIELDS} } }`;
const ARCHIVE = `mutation ($id: ID!) { archiveBrand(id: $id, reason: "Rebranded") { archivedAt } }`;
const CHANGE_ROLE = `mutation ($brandId: ID!, $userId: ID!, $role: BrandRole!) {
  changeBrandMemberRole(brandId: $brandId, userId: $userId, role: $role) { id } }`;
const ADD_CLAIM = `mutation ($brandId: ID!, $country: String!, $text: String!) {
  addMasterClaim(brandId: $brandId, country: $country, text: $text) { masterClaims { id country text } } }`;

interface BrandView {
  id: string;
  myRole: string | null;
  archivedAt: string | null;
  channels: {
    id: string;
    kind: string;
    url: string | null;
    signingSecret: string | null;
    feedUrl: string | null;
  }[];
  members: { totalCount: number; nodes: { role: string; user: { id: string } | null }[] };
}

describe('brands through GraphQL', () => {
  it('lets only platform admins create brands', async () => {
    const response = await api.gql(
      CREATE_BRAND,
      {
        input: {
          name: 'Nope',
          identity: { toneOfVoice: '', guardrails: [], colours: [] },
          country: 'GB',
          language: 'en',
          allowedContentTypes: [],
          workflow: [],
        },
      },
      team.editor.accessToken,
    );
    expect(errorCodes(response)).toEqual(['FORBIDDEN/ADMIN_ONLY']);
  });

  it('shows members their role and the members list; admins alone see webhook signing keys', async () => {
    const asEditor = fieldOf<BrandView>(
      await api.gql(BRAND, { id: team.brandId }, team.editor.accessToken),
      'brand',
    );
    expect(asEditor.myRole).toBe('editor');
    expect(asEditor.members.totalCount).toBe(5);
    expect(asEditor.members.nodes.every((m) => m.user !== null)).toBe(true);
    const webhook = asEditor.channels.find((c) => c.kind === 'webhook');
    expect(webhook).toMatchObject({ url: 'https://hooks.example.org/chronicle', signingSecret: null });
    expect(asEditor.channels.find((c) => c.kind === 'feed')?.feedUrl).toBe(
      `/brands/${team.brandId}/feed.json`,
    );

    const asAdmin = fieldOf<BrandView>(
      await api.gql(BRAND, { id: team.brandId }, team.admin.accessToken),
      'brand',
    );
    const secret = asAdmin.channels.find((c) => c.kind === 'webhook')?.signingSecret;
    expect(secret).toMatch(/^[0-9a-f]{64}$/);

    const outsider = await api.gql(BRAND, { id: team.brandId }, team.outsider.accessToken);
    expect(outsider.data?.brand).toBeNull();
    const listed = fieldOf<{ nodes: { id: string }[] }>(
      await api.gql(BRANDS, {}, team.outsider.accessToken),
      'brands',
    );
    expect(listed.nodes.map((b) => b.id)).not.toContain(team.brandId);
  });

  it('keeps a channel’s id (and so its signing key) when the channel list is replaced with it in', async () => {
    const before = fieldOf<BrandView>(
      await api.gql(BRAND, { id: team.brandId }, team.admin.accessToken),
      'brand',
    );
    const updated = fieldOf<BrandView>(
      await api.gql(
        UPDATE,
        {
          id: team.brandId,
          input: {
            channels: [
              { kind: 'webhook', url: 'https://hooks.example.org/chronicle' },
              { kind: 'webhook', url: 'https://second.example.org/in' },
            ],
          },
        },
        team.admin.accessToken,
      ),
      'updateBrand',
    );
    const kept = before.channels.find((c) => c.kind === 'webhook');
    expect(updated.channels[0]).toEqual(kept);
    expect(updated.channels[1]?.id).not.toBe(kept?.id);
    expect(updated.channels.some((c) => c.kind === 'feed')).toBe(false);
  });

  it('refuses settings changes from non-admins and bad settings with VALIDATION', async () => {
    expect(
      errorCodes(
        await api.gql(UPDATE, { id: team.brandId, input: { name: 'Mine now' } }, team.approver.accessToken),
      ),
    ).toEqual(['FORBIDDEN/BRAND_ADMIN_ONLY']);
    expect(
      errorCodes(
        await api.gql(UPDATE, { id: team.brandId, input: { country: 'gb' } }, team.admin.accessToken),
      ),
    ).toEqual(['VALIDATION/INVALID_COUNTRY']);
    expect(
      errorCodes(
        await api.gql(
          UPDATE,
          { id: team.brandId, input: { workflow: [{ name: 'Step', role: 'viewer' }] } },
          team.admin.accessToken,
        ),
      )[0],
    ).toMatch(/^VALIDATION\//);
    expect(
      errorCodes(
        await api.gql(
          UPDATE,
          { id: team.brandId, input: { channels: [{ kind: 'webhook' }] } },
          team.admin.accessToken,
        ),
      ),
    ).toEqual(['VALIDATION/WEBHOOK_URL_REQUIRED']);
  });

  it('never leaves a brand without an admin', async () => {
    const demote = await api.gql(
      CHANGE_ROLE,
      { brandId: team.brandId, userId: team.admin.id, role: 'editor' },
      team.admin.accessToken,
    );
    expect(errorCodes(demote)).toEqual(['CONFLICT/LAST_ADMIN']);
  });

  it('records master claims per country', async () => {
    const response = await api.gql(
      ADD_CLAIM,
      { brandId: team.brandId, country: 'GB', text: 'Contains 1.5 g of fibre per 100 ml' },
      team.admin.accessToken,
    );
    const { masterClaims } = fieldOf<{ masterClaims: { country: string; text: string }[] }>(
      response,
      'addMasterClaim',
    );
    expect(masterClaims).toEqual([
      expect.objectContaining({ country: 'GB', text: 'Contains 1.5 g of fibre per 100 ml' }),
    ]);
  });

  it('archives a brand: it stays readable and accepts nothing more', async () => {
    const other = await brandTeam(api);
    const archived = fieldOf<{ archivedAt: string | null }>(
      await api.gql(ARCHIVE, { id: other.brandId }, other.admin.accessToken),
      'archiveBrand',
    );
    expect(archived.archivedAt).not.toBeNull();
    const newcomer = await registerAndSignIn(api);
    const add = await api.gql(
      ADD_MEMBER,
      { brandId: other.brandId, userId: newcomer.id, role: 'viewer' },
      other.admin.accessToken,
    );
    expect(errorCodes(add)).toEqual(['CONFLICT/BRAND_ARCHIVED']);
  });
});
