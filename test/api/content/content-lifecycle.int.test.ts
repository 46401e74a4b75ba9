import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodes, fieldOf, type IdentityApp, startIdentityApp } from '../support/identity-app.ts';
import {
  APPROVE,
  approveThroughWorkflow,
  type BrandTeam,
  brandTeam,
  CONTENT,
  type ContentView,
  createArticle,
  REJECT,
  SUBMIT,
  UPDATE_CONTENT,
  WORKFLOW,
} from './support.ts';

let api: IdentityApp;
let team: BrandTeam;
beforeAll(async () => {
  api = await startIdentityApp();
  team = await brandTeam(api);
});
afterAll(async () => {
  await api?.close();
});

const VERSIONS = `query ($id: ID!) {
  contentVersions(contentId: $id) { totalCount nodes { version title author restoredFrom } } }`;
const COMPARE = `query ($id: ID!, $from: Int!, $to: Int!) {
  compareVersions(contentId: $id, from: $from, to: $to) { from to changes { path change before after } } }`;
const RESTORE = `mutation ($id: ID!, $version: Int!) { restoreVersion(id: $id, version: $version) { version title } }`;

describe('content through GraphQL', () => {
  it('keeps every edit as a version, compares two and restores an old one as a new version', async () => {
    const draft = await createArticle(api, team);
    expect(draft).toMatchObject({ status: 'draft', version: 1, title: 'Oat milk, explained' });
    const edited = fieldOf<ContentView>(
      await api.gql(
        UPDATE_CONTENT,
        {
          id: draft.id,
          input: {
            title: 'Oat drink, explained',
            fields: [
              { key: 'body', value: 'Now with more foam.' },
              { key: 'cta', value: 'Try it' },
            ],
          },
        },
        team.editor.accessToken,
      ),
      'updateContent',
    );
    expect(edited.version).toBe(2);

    const diff = fieldOf<{
      changes: { path: string; change: string; before: string | null; after: string | null }[];
    }>(await api.gql(COMPARE, { id: draft.id, from: 1, to: 2 }, team.viewer.accessToken), 'compareVersions');
    expect(diff.changes).toEqual(
      expect.arrayContaining([
        { path: 'title', change: 'changed', before: 'Oat milk, explained', after: 'Oat drink, explained' },
        expect.objectContaining({ path: 'fields.body', change: 'changed', after: 'Now with more foam.' }),
        { path: 'fields.cta', change: 'added', before: null, after: 'Try it' },
      ]),
    );

    const restored = fieldOf<{ version: number; title: string }>(
      await api.gql(RESTORE, { id: draft.id, version: 1 }, team.editor.accessToken),
      'restoreVersion',
    );
    expect(restored).toEqual({ version: 3, title: 'Oat milk, explained' });
    const versions = fieldOf<{
      totalCount: number;
      nodes: { version: number; restoredFrom: number | null; author: string }[];
    }>(await api.gql(VERSIONS, { id: draft.id }, team.editor.accessToken), 'contentVersions');
    expect(versions.totalCount).toBe(3);
    expect(versions.nodes.map((v) => [v.version, v.restoredFrom])).toEqual([
      [3, 1],
      [2, null],
      [1, null],
    ]);
    expect(versions.nodes[0]?.author).toBe(`user:${team.editor.id}`);
  });

  it('refuses a stale expectedVersion with CONFLICT', async () => {
    const draft = await createArticle(api, team);
    const stale = await api.gql(
      UPDATE_CONTENT,
      { id: draft.id, input: { title: 'Changed', expectedVersion: 7 } },
      team.editor.accessToken,
    );
    expect(errorCodes(stale)).toEqual(['CONFLICT/VERSION_MISMATCH']);
  });

  it('replays a retried edit with its idempotency key and expectedVersion instead of refusing it', async () => {
    const draft = await createArticle(api, team);
    const edit = {
      id: draft.id,
      input: { title: 'Retried', expectedVersion: 1 },
      idempotencyKey: 'retried-edit-1',
    };
    const retryable = `mutation ($id: ID!, $input: UpdateContentInput!, $idempotencyKey: String) {
      updateContent(id: $id, input: $input, idempotencyKey: $idempotencyKey) { version } }`;
    const first = await api.gql(retryable, edit, team.editor.accessToken);
    expect(first.errors).toBeUndefined();
    const again = await api.gql(retryable, edit, team.editor.accessToken);
    expect(again.errors).toBeUndefined();
    expect(fieldOf<{ version: number }>(again, 'updateContent').version).toBe(2);
    const events = await api.runtime.store.readStream(`content-${draft.id}`);
    expect(events.filter((event) => event.type === 'ContentUpdated')).toHaveLength(1);
  });

  it('walks the approval workflow step by step, each step by its role, never by the author', async () => {
    const draft = await createArticle(api, team);
    const submitted = fieldOf<ContentView>(
      await api.gql(SUBMIT, { id: draft.id }, team.editor.accessToken),
      'submitContent',
    );
    expect(submitted.status).toBe('in_review');

    expect(errorCodes(await api.gql(APPROVE, { id: draft.id }, team.viewer.accessToken))).toEqual([
      expect.stringMatching(/^FORBIDDEN\//),
    ]);
    expect(errorCodes(await api.gql(APPROVE, { id: draft.id }, team.outsider.accessToken))).toEqual([
      expect.stringMatching(/^FORBIDDEN\//),
    ]);
    // Editing while in review is refused: reject first.
    expect(
      errorCodes(
        await api.gql(UPDATE_CONTENT, { id: draft.id, input: { title: 'Sneaky' } }, team.editor.accessToken),
      ),
    ).toEqual([expect.stringMatching(/^CONFLICT\//)]);

    fieldOf(
      await api.gql(APPROVE, { id: draft.id, comment: 'On brand' }, team.approver.accessToken),
      'approveContent',
    );
    const progress = fieldOf<{
      review: { currentStep: number; steps: { state: string; by: string | null; comment: string | null }[] };
    }>(await api.gql(WORKFLOW, { id: draft.id }, team.editor.accessToken), 'workflowProgress');
    expect(progress.review.currentStep).toBe(1);
    expect(progress.review.steps[0]).toMatchObject({
      state: 'approved',
      by: team.approver.id,
      comment: 'On brand',
    });
    expect(progress.review.steps[1]).toMatchObject({ state: 'pending' });

    const approved = fieldOf<ContentView>(
      await api.gql(APPROVE, { id: draft.id }, team.secondApprover.accessToken),
      'approveContent',
    );
    expect(approved.status).toBe('approved');
  });

  it('refuses self-approval even by an approver who wrote the content', async () => {
    const response = await api.gql(
      `mutation ($input: CreateContentInput!) { createContent(input: $input) { id } }`,
      { input: { brandId: team.brandId, type: 'article', title: 'By an approver', fields: [] } },
      team.approver.accessToken,
    );
    const { id } = fieldOf<{ id: string }>(response, 'createContent');
    fieldOf(await api.gql(SUBMIT, { id }, team.approver.accessToken), 'submitContent');
    expect(errorCodes(await api.gql(APPROVE, { id }, team.approver.accessToken))).toEqual([
      'FORBIDDEN/SELF_APPROVAL',
    ]);
  });

  it('sends rejected content back to draft with the reason', async () => {
    const draft = await createArticle(api, team);
    fieldOf(await api.gql(SUBMIT, { id: draft.id }, team.editor.accessToken), 'submitContent');
    const rejected = fieldOf<ContentView>(
      await api.gql(
        REJECT,
        { id: draft.id, reason: 'Too many exclamation marks' },
        team.approver.accessToken,
      ),
      'rejectContent',
    );
    expect(rejected).toMatchObject({ status: 'draft', rejectionReason: 'Too many exclamation marks' });
    expect(
      errorCodes(await api.gql(REJECT, { id: draft.id, reason: '' }, team.approver.accessToken))[0],
    ).toMatch(/^(VALIDATION|CONFLICT)\//);
  });

  it('shows content only to members of its brand', async () => {
    const draft = await createArticle(api, team);
    expect(
      fieldOf(await api.gql(CONTENT, { id: draft.id }, team.viewer.accessToken), 'content'),
    ).toMatchObject({
      id: draft.id,
    });
    const hidden = await api.gql(CONTENT, { id: draft.id }, team.outsider.accessToken);
    expect(hidden.errors).toBeUndefined();
    expect(hidden.data?.content).toBeNull();
    const create = await api.gql(
      `mutation ($input: CreateContentInput!) { createContent(input: $input) { id } }`,
      { input: { brandId: team.brandId, type: 'article', title: 'Intruder', fields: [] } },
      team.outsider.accessToken,
    );
    expect(errorCodes(create)).toEqual(['FORBIDDEN/NOT_A_MEMBER']);
    const viewerCreate = await api.gql(
      `mutation ($input: CreateContentInput!) { createContent(input: $input) { id } }`,
      { input: { brandId: team.brandId, type: 'article', title: 'Viewer', fields: [] } },
      team.viewer.accessToken,
    );
    expect(errorCodes(viewerCreate)[0]).toMatch(/^FORBIDDEN\//);
  });

  it('rejects bad input with VALIDATION and stores nothing', async () => {
    const cases = [
      { brandId: team.brandId, type: 'article', title: '<script>', fields: [] },
      { brandId: team.brandId, type: 'podcast', title: 'Not an allowed type', fields: [] },
      { brandId: 'not-a-uuid', type: 'article', title: 'x', fields: [] },
      {
        brandId: team.brandId,
        type: 'article',
        title: 'Dup keys',
        fields: [
          { key: 'a', value: '1' },
          { key: 'a', value: '2' },
        ],
      },
    ];
    for (const input of cases) {
      const response = await api.gql(
        `mutation ($input: CreateContentInput!) { createContent(input: $input) { id } }`,
        { input },
        team.editor.accessToken,
      );
      expect(errorCodes(response)[0], JSON.stringify(input)).toMatch(/^VALIDATION\//);
    }
    const { rows } = await api.runtime.pool.query(
      `select count(*)::int as n from contents where title in ('<script>', 'Not an allowed type', 'Dup keys')`,
    );
    expect(rows[0].n).toBe(0);
  });

  it('archives in bulk, each content on its own', async () => {
    const [a, b] = [await createArticle(api, team), await createArticle(api, team)];
    const published = await createArticle(api, team);
    await approveThroughWorkflow(api, team, published.id);
    const response = await api.gql(
      `mutation ($ids: [ID!]!) { bulkArchiveContent(ids: $ids) { archived failed { id code } } }`,
      { ids: [a.id, b.id, '00000000-0000-4000-8000-000000000000'] },
      team.editor.accessToken,
    );
    const result = fieldOf<{ archived: string[]; failed: { id: string; code: string }[] }>(
      response,
      'bulkArchiveContent',
    );
    expect(result.archived.sort()).toEqual([a.id, b.id].sort());
    expect(result.failed).toEqual([{ id: '00000000-0000-4000-8000-000000000000', code: 'NOT_FOUND' }]);
    expect(
      fieldOf<ContentView>(await api.gql(CONTENT, { id: a.id }, team.editor.accessToken), 'content').status,
    ).toBe('archived');
  });
});
