import { randomUUID } from 'node:crypto';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ContentEvent, contentEventCatalogue } from '../../../src/domain/content/content-events.ts';
import { contentStream } from '../../../src/domain/content/streams.ts';
import { connect, graphqlWsUrl, subscribe, type TestClient } from '../subscriptions/support/ws-client.ts';
import { fieldOf, type IdentityApp, startIdentityApp } from '../support/identity-app.ts';
import {
  APPROVE,
  type BrandTeam,
  brandTeam,
  createArticle,
  REJECT,
  SUBMIT,
  UPDATE_CONTENT,
} from './support.ts';

const STATUS_CHANGED = `subscription ($brandId: ID!) {
  contentStatusChanged(brandId: $brandId) { contentId brandId status version content { title } } }`;
const PROGRESS = `subscription ($id: ID!) {
  workflowProgress(contentId: $id) { status review { state currentStep steps { state by } } } }`;
const AI_PROGRESS = `subscription ($id: ID!) { aiGenerationProgress(requestId: $id) { requestId status kind label } }`;
const GENERATE = `mutation ($input: GenerateContentInput!) { generateContent(input: $input) { requestId } }`;

interface StatusUpdate {
  contentId: string;
  status: string;
  version: number;
}

const metrics = new Registry();
let api: IdentityApp;
let team: BrandTeam;
let url: string;
const clients: TestClient[] = [];
const client = (token: string) => {
  const created = connect(url, token);
  clients.push(created);
  return created;
};
beforeAll(async () => {
  api = await startIdentityApp({ metrics });
  team = await brandTeam(api);
  url = await graphqlWsUrl(api.app);
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await api?.close();
});

/** `chronicle_subscriptions_open`: the server's own count of the subscriptions it serves. */
async function openSubscriptions(): Promise<number> {
  const gauge = await metrics.getSingleMetric('chronicle_subscriptions_open')?.get();
  return gauge?.values[0]?.value ?? 0;
}

describe('content subscriptions', () => {
  it('contentStatusChanged reports each status change of the brand’s contents, in order, and nothing else', async () => {
    const statuses = subscribe<StatusUpdate>(
      client(team.viewer.accessToken),
      'contentStatusChanged',
      STATUS_CHANGED,
      {
        brandId: team.brandId,
      },
    );
    // The subscription must be open before the writes it has to see.
    await expect.poll(openSubscriptions, { timeout: 5_000 }).toBe(1);
    const article = await createArticle(api, team);
    fieldOf(await api.gql(SUBMIT, { id: article.id }, team.editor.accessToken), 'submitContent');
    fieldOf(await api.gql(APPROVE, { id: article.id }, team.approver.accessToken), 'approveContent');
    fieldOf(
      await api.gql(REJECT, { id: article.id, reason: 'Not yet' }, team.secondApprover.accessToken),
      'rejectContent',
    );
    const seen = await statuses.received(3);
    expect(seen.map((s) => [s.contentId, s.status])).toEqual([
      [article.id, 'draft'],
      [article.id, 'in_review'],
      [article.id, 'draft'],
    ]);
    // The first step's approval changed no status: nothing was reported for it.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(statuses.values).toHaveLength(3);
    statuses.unsubscribe();
  });

  it('contentStatusChanged delivers every change that lands between two reads, each with its own status and version', async () => {
    const article = await createArticle(api, team);
    const statuses = subscribe<StatusUpdate & { content: { title: string } }>(
      client(team.viewer.accessToken),
      'contentStatusChanged',
      STATUS_CHANGED,
      { brandId: team.brandId },
    );
    await expect.poll(openSubscriptions, { timeout: 5_000 }).toBe(1);
    // Submitted, rejected, submitted again and approved in one append: one projector batch, so the
    // subscription reads once after all four, and still reports each of them.
    const contentId = article.id;
    const steps = [{ name: 'Legal', role: 'approver' as const }];
    const { codec, store } = api.runtime;
    const events: ContentEvent[] = [
      { type: 'ContentSubmitted', data: { contentId, version: 1, submittedBy: team.editor.id, steps } },
      {
        type: 'ContentRejected',
        data: { contentId, version: 1, step: 0, rejectedBy: team.approver.id, reason: 'Source?' },
      },
      { type: 'ContentSubmitted', data: { contentId, version: 1, submittedBy: team.editor.id, steps } },
      {
        type: 'ContentStepApproved',
        data: {
          contentId,
          version: 1,
          step: 0,
          stepName: 'Legal',
          approvedBy: team.approver.id,
          comment: null,
        },
      },
      { type: 'ContentApproved', data: { contentId, version: 1 } },
    ];
    const commandId = randomUUID();
    const metadata = {
      commandId,
      correlationId: commandId,
      causationId: commandId,
      actor: `user:${team.approver.id}`,
      occurredAt: new Date().toISOString(),
    };
    await store.append(
      contentStream(contentId),
      await Promise.all(
        events.map((event) => codec.encode(contentEventCatalogue[event.type], event, metadata, randomUUID())),
      ),
      { expectedRevision: 0n },
    );
    expect((await statuses.received(4)).map((s) => [s.contentId, s.status, s.version])).toEqual([
      [contentId, 'in_review', 1],
      [contentId, 'draft', 1],
      [contentId, 'in_review', 1],
      [contentId, 'approved', 1],
    ]);
    // An edit sends approved content back to draft, as a new version.
    fieldOf(
      await api.gql(UPDATE_CONTENT, { id: contentId, input: { title: 'Edited' } }, team.editor.accessToken),
      'updateContent',
    );
    const seen = await statuses.received(5);
    expect(seen.at(-1)).toMatchObject({
      contentId,
      status: 'draft',
      version: 2,
      content: { title: 'Edited' },
    });
    statuses.unsubscribe();
  });

  it('refuses contentStatusChanged for a brand the caller does not belong to', async () => {
    const refused = subscribe(client(team.outsider.accessToken), 'contentStatusChanged', STATUS_CHANGED, {
      brandId: team.brandId,
    });
    const ending = await refused.ended;
    expect(ending).toMatchObject({ kind: 'errors', errors: [{ extensions: { code: 'NOT_FOUND' } }] });
  });

  it('workflowProgress sends the progress now, then each move of the review', async () => {
    const article = await createArticle(api, team);
    const progress = subscribe<{ status: string; review: { currentStep: number | null } | null }>(
      client(team.editor.accessToken),
      'workflowProgress',
      PROGRESS,
      { id: article.id },
    );
    expect((await progress.received(1))[0]).toMatchObject({ status: 'draft', review: null });
    fieldOf(await api.gql(SUBMIT, { id: article.id }, team.editor.accessToken), 'submitContent');
    fieldOf(await api.gql(APPROVE, { id: article.id }, team.approver.accessToken), 'approveContent');
    fieldOf(await api.gql(APPROVE, { id: article.id }, team.secondApprover.accessToken), 'approveContent');
    await expect.poll(() => progress.values.at(-1)?.status, { timeout: 5_000 }).toBe('approved');
    const steps = progress.values.map((p) => p.review?.currentStep ?? null);
    expect(steps).toContain(0);
    expect(steps).toContain(1);
    progress.unsubscribe();
  });

  it('aiGenerationProgress follows a request the caller subscribed to before asking', async () => {
    const requestId = randomUUID();
    const progress = subscribe<{ status: string; kind: string; label: string | null }>(
      client(team.editor.accessToken),
      'aiGenerationProgress',
      AI_PROGRESS,
      { id: requestId },
    );
    const generated = await api.gql(
      GENERATE,
      {
        input: {
          brandId: team.brandId,
          requestId,
          templateName: 'Post',
          fields: [{ key: 'body', label: 'Body', instructions: 'One line' }],
          brief: 'Autumn menu',
        },
      },
      team.editor.accessToken,
    );
    expect(fieldOf<{ requestId: string }>(generated, 'generateContent').requestId).toBe(requestId);
    await expect.poll(() => progress.values.at(-1)?.status, { timeout: 5_000 }).toBe('completed');
    expect(progress.values.at(-1)).toMatchObject({ kind: 'content', label: 'local_template' });
    progress.unsubscribe();
  });
});
