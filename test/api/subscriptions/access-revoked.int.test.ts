import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForPosition } from '../../../src/projections/wait-for-position.ts';
import { setRole } from '../../../src/services/identity/account.ts';
import { type BrandTeam, brandTeam, createArticle, SUBMIT } from '../content/support.ts';
import { fieldOf, type IdentityApp, startIdentityApp } from '../support/identity-app.ts';
import { identityDeps, makeAdmin } from '../support/identity-operations.ts';
import { connect, graphqlWsUrl, subscribe, type TestClient } from './support/ws-client.ts';

/**
 * A subscription lives only as long as the caller's right to see what it shows: taking that right
 * away (a member removed from the brand, an admin who lost the role) ends it with
 * FORBIDDEN/ACCESS_REVOKED, without waiting for the next change it would have sent.
 */
const STATUS_CHANGED = `subscription ($brandId: ID!) {
  contentStatusChanged(brandId: $brandId) { contentId status } }`;
const PROGRESS = `subscription ($id: ID!) { workflowProgress(contentId: $id) { status } }`;
const REMOVE_MEMBER = `mutation ($brandId: ID!, $userId: ID!) {
  removeBrandMember(brandId: $brandId, userId: $userId) { id } }`;
const CREATE_KEY = `mutation { createApiKey(name: "newsroom", scopes: [GRAPHQL_READ]) { key } }`;
const REVOKED = { kind: 'errors', errors: [{ extensions: { code: 'FORBIDDEN', reason: 'ACCESS_REVOKED' } }] };

let api: IdentityApp;
let url: string;
const clients: TestClient[] = [];
const client = (token: string) => {
  const created = connect(url, token);
  clients.push(created);
  return created;
};
beforeAll(async () => {
  api = await startIdentityApp();
  url = await graphqlWsUrl(api.app);
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await api?.close();
});

describe('subscriptions after access is taken away', () => {
  let team: BrandTeam;
  beforeAll(async () => {
    team = await brandTeam(api);
  });

  it("ends a removed member's contentStatusChanged on their API key, and sends nothing after", async () => {
    const key = fieldOf<{ key: string }>(
      await api.gql(CREATE_KEY, {}, team.viewer.accessToken),
      'createApiKey',
    ).key;
    const statuses = subscribe<{ contentId: string; status: string }>(
      client(key),
      'contentStatusChanged',
      STATUS_CHANGED,
      { brandId: team.brandId },
    );
    const before = await createArticle(api, team, 'Before');
    expect((await statuses.received(1))[0]).toEqual({ contentId: before.id, status: 'draft' });

    fieldOf(
      await api.gql(REMOVE_MEMBER, { brandId: team.brandId, userId: team.viewer.id }, team.admin.accessToken),
      'removeBrandMember',
    );
    // Ended by the membership change itself: no content change is needed to notice it.
    expect(await statuses.ended).toMatchObject(REVOKED);
    const after = await createArticle(api, team, 'After');
    fieldOf(await api.gql(SUBMIT, { id: after.id }, team.editor.accessToken), 'submitContent');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(statuses.values.map((s) => s.contentId)).toEqual([before.id]);
  });

  it("ends a removed member's workflowProgress", async () => {
    const article = await createArticle(api, team, 'Watched');
    const progress = subscribe<{ status: string }>(
      client(team.approver.accessToken),
      'workflowProgress',
      PROGRESS,
      {
        id: article.id,
      },
    );
    expect((await progress.received(1))[0]).toEqual({ status: 'draft' });
    fieldOf(
      await api.gql(
        REMOVE_MEMBER,
        { brandId: team.brandId, userId: team.approver.id },
        team.admin.accessToken,
      ),
      'removeBrandMember',
    );
    expect(await progress.ended).toMatchObject(REVOKED);
  });

  it('ends an admin’s subscription to a brand they do not belong to once they are no longer admin', async () => {
    const admin = await makeAdmin(api);
    const statuses = subscribe(client(admin.accessToken), 'contentStatusChanged', STATUS_CHANGED, {
      brandId: team.brandId,
    });
    const article = await createArticle(api, team, 'Seen by the admin');
    await statuses.received(1);
    expect(statuses.values).toEqual([{ contentId: article.id, status: 'draft' }]);

    const demoted = await setRole(
      identityDeps(api),
      { actor: { kind: 'system', process: 'test' }, correlationId: randomUUID() },
      { userId: admin.id, role: 'user' },
    );
    if (demoted.position !== null) {
      await waitForPosition(api.runtime.pool, api.runtime.bus, demoted.position, { timeoutMs: 5000 });
    }
    expect(await statuses.ended).toMatchObject(REVOKED);
  });
});
