import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { contentStream } from '../../../src/domain/content/streams.ts';
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

  it('updates in bulk, each item its own command with its own outcome and idempotency key', async () => {
    const [a, b, stale] = [
      await createArticle(api, team),
      await createArticle(api, team),
      await createArticle(api, team),
    ];
    const inReview = await createArticle(api, team);
    fieldOf(await api.gql(SUBMIT, { id: inReview.id }, team.editor.accessToken), 'submitContent');
    const missing = '00000000-0000-4000-8000-000000000000';
    const items = [
      {
        id: a.id,
        idempotencyKey: `bulk-a-${a.id}`,
        input: {
          title: 'Edited in bulk',
          fields: [
            { key: 'body', value: 'First.' },
            { key: 'cta', value: 'Then this.' },
          ],
        },
      },
      { id: b.id, expectedVersion: 1, idempotencyKey: `bulk-b-${b.id}`, input: { title: 'Also in bulk' } },
      { id: stale.id, expectedVersion: 2, input: { title: 'Too late' } },
      { id: inReview.id, input: { title: 'Under review' } },
      { id: missing, input: { title: 'Nobody' } },
    ];
    const BULK_UPDATE = `mutation ($items: [BulkUpdateContentItem!]!) {
      bulkUpdateContent(items: $items) { updated { id title version fields { key value } } failed { id code reason } } }`;
    type Result = {
      updated: { id: string; title: string; version: number; fields: { key: string; value: string }[] }[];
      failed: { id: string; code: string; reason: string }[];
    };
    const first = fieldOf<Result>(
      await api.gql(BULK_UPDATE, { items }, team.editor.accessToken),
      'bulkUpdateContent',
    );
    expect(first.updated).toEqual([
      { id: a.id, title: 'Edited in bulk', version: 2, fields: items[0]?.input.fields },
      { id: b.id, title: 'Also in bulk', version: 2, fields: b.fields },
    ]);
    expect(first.failed).toEqual([
      { id: stale.id, code: 'CONFLICT', reason: 'VERSION_MISMATCH' },
      { id: inReview.id, code: 'CONFLICT', reason: 'IN_REVIEW' },
      { id: missing, code: 'NOT_FOUND', reason: 'CONTENT_NOT_FOUND' },
    ]);

    // The same keys again: those items replay (no version 3); each key is that item's alone.
    const again = fieldOf<Result>(
      await api.gql(BULK_UPDATE, { items: items.slice(0, 2) }, team.editor.accessToken),
      'bulkUpdateContent',
    );
    expect(again.updated.map(({ id, version }) => [id, version])).toEqual([
      [a.id, 2],
      [b.id, 2],
    ]);
    expect(
      fieldOf<ContentView>(await api.gql(CONTENT, { id: stale.id }, team.editor.accessToken), 'content'),
    ).toMatchObject({ version: 1, title: stale.title });
  });

  it('refuses a bulk update over 100 items, or naming a content twice, as a whole', async () => {
    const draft = await createArticle(api, team);
    const BULK = `mutation ($items: [BulkUpdateContentItem!]!) { bulkUpdateContent(items: $items) { failed { id } } }`;
    const many = Array.from({ length: 101 }, () => ({ id: draft.id, input: { title: 'x' } }));
    const twice = [
      { id: draft.id, input: { title: 'One' } },
      { id: draft.id, input: { title: 'Two' } },
    ];
    for (const items of [many, twice, []]) {
      const response = await api.gql(BULK, { items }, team.editor.accessToken);
      expect(errorCodes(response)[0]).toMatch(/^VALIDATION/);
    }
    expect(
      fieldOf<ContentView>(await api.gql(CONTENT, { id: draft.id }, team.editor.accessToken), 'content')
        .version,
    ).toBe(1);
  });

  it('stores rich text only as sanitised: in the events, the read model and every answer', async () => {
    const dirty = [
      {
        key: 'body',
        value: '<p>Oats <strong>crunch</strong><script>alert(1)</script></p><img src=x onerror=alert(1)>',
      },
      { key: 'link', value: '<a href="javascript:alert(1)">bad</a> <a href="https://oats.example">good</a>' },
      { key: 'embed', value: '<iframe src="https://evil.example"></iframe><style>p{}</style>Plain & simple' },
      { key: 'plain', value: 'Fish & chips, 3 < 4' },
    ];
    const clean = [
      { key: 'body', value: '<p>Oats <strong>crunch</strong></p>' },
      {
        key: 'link',
        value: '<a rel="noopener">bad</a> <a href="https://oats.example" rel="noopener">good</a>',
      },
      { key: 'embed', value: 'Plain &amp; simple' },
      { key: 'plain', value: 'Fish & chips, 3 < 4' },
    ];
    const created = fieldOf<ContentView>(
      await api.gql(
        `mutation ($input: CreateContentInput!) { createContent(input: $input) { id fields { key value } } }`,
        { input: { brandId: team.brandId, type: 'article', title: 'Rich', fields: dirty } },
        team.editor.accessToken,
      ),
      'createContent',
    );
    expect(created.fields).toEqual(clean);
    const edited = fieldOf<ContentView>(
      await api.gql(
        UPDATE_CONTENT,
        {
          id: created.id,
          input: { fields: [{ key: 'body', value: '<p onclick="x()">New<script>x</script></p>' }] },
        },
        team.editor.accessToken,
      ),
      'updateContent',
    );
    expect(edited.fields).toEqual([{ key: 'body', value: '<p>New</p>' }]);

    const stored = await api.runtime.store.readStream(contentStream(created.id));
    const fieldsOf = (type: string) =>
      stored.find((event) => event.type === type)?.data as { fields: unknown };
    expect(fieldsOf('ContentCreated').fields).toEqual(clean);
    expect(fieldsOf('ContentUpdated').fields).toEqual([{ key: 'body', value: '<p>New</p>' }]);
    expect(JSON.stringify(stored.map((event) => event.data))).not.toMatch(
      /<script|onerror|onclick|<iframe|<style|javascript:/,
    );
  });

  it('reads a version stored before fields were a list, and cleans its markup when restoring it', async () => {
    const draft = await createArticle(api, team);
    // Version 2 as an event of schema version 1 held it: a key → text record, unsanitised.
    const commandId = randomUUID();
    await api.runtime.store.append(
      contentStream(draft.id),
      [
        {
          id: randomUUID(),
          type: 'ContentUpdated',
          data: {
            contentId: draft.id,
            version: 2,
            title: 'From the old days',
            fields: { body: '<p>Oats<script>alert(1)</script></p>', cta: 'Try them' },
            metadata: { seoTitle: null, seoDescription: null, keywords: [] },
            authorId: team.editor.id,
            restoredFrom: null,
          },
          metadata: {
            commandId,
            correlationId: commandId,
            causationId: commandId,
            actor: `user:${team.editor.id}`,
            occurredAt: new Date().toISOString(),
            schemaVersion: 1,
          },
        },
      ],
      { expectedRevision: 0n },
    );
    const legacy = [
      { key: 'cta', value: 'Try them' },
      { key: 'body', value: '<p>Oats<script>alert(1)</script></p>' },
    ];
    await vi.waitFor(async () => {
      const versions = fieldOf<{ nodes: { version: number; fields: unknown }[] }>(
        await api.gql(
          `query ($id: ID!) { contentVersions(contentId: $id) { nodes { version fields { key value } } } }`,
          { id: draft.id },
          team.editor.accessToken,
        ),
        'contentVersions',
      );
      // Upcast to a list, in the order the stored record came back in (jsonb: shorter keys first).
      expect(versions.nodes[0]).toEqual({ version: 2, fields: legacy });
    });
    fieldOf(
      await api.gql(UPDATE_CONTENT, { id: draft.id, input: { title: 'Newer' } }, team.editor.accessToken),
      'updateContent',
    );
    const restored = fieldOf<ContentView & { version: number }>(
      await api.gql(
        `mutation ($id: ID!) { restoreVersion(id: $id, version: 2) { version title fields { key value } } }`,
        { id: draft.id },
        team.editor.accessToken,
      ),
      'restoreVersion',
    );
    const cleaned = [
      { key: 'cta', value: 'Try them' },
      { key: 'body', value: '<p>Oats</p>' },
    ];
    expect(restored).toEqual({ version: 4, title: 'From the old days', fields: cleaned });
    const stored = await api.runtime.store.readStream(contentStream(draft.id));
    expect(stored.at(-1)).toMatchObject({
      type: 'ContentUpdated',
      data: { version: 4, restoredFrom: 2, fields: cleaned },
      metadata: { schemaVersion: 2 },
    });
  });
});
