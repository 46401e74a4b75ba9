import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { verifySignature } from '../../../src/channels/webhook-signature.ts';
import {
  ADD_MEMBER,
  APPROVE,
  CONTENT,
  CREATE_BRAND,
  CREATE_CONTENT,
  PUBLISH,
  SUBMIT,
  WORKFLOW,
} from '../../api/content/support.ts';
import type { GraphQLResponse } from '../../api/support/identity-app.ts';
import { type PublishingHarness, startPublishingHarness } from './support/harness.ts';

/**
 * The whole publishing path as a client sees it, over HTTP: the API (with its projector), the
 * Temporal worker and the process manager all run in this process; the test only speaks GraphQL
 * (and reads the public feed), and a real HTTP server receives the webhook.
 */
let h: PublishingHarness;
let baseUrl: string;
beforeAll(async () => {
  h = await startPublishingHarness();
  baseUrl = await h.api.app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await h?.close();
});

async function gql<T>(field: string, query: string, variables: Record<string, unknown>, token: string) {
  const response = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  expect(response.status).toBe(200);
  const body = (await response.json()) as GraphQLResponse;
  expect(body.errors).toBeUndefined();
  const value = body.data?.[field];
  if (value === undefined || value === null) throw new Error(`no ${field} in ${JSON.stringify(body)}`);
  return value as T;
}

interface Progress {
  status: string;
  publication: {
    id: string;
    state: string;
    steps: { step: string; outcome: string }[];
    channels: { channelId: string; kind: string; state: string; location: string | null }[];
  } | null;
}

describe('publishing, end to end through GraphQL', () => {
  it('takes content from creation to a signed webhook delivery and the public feed', async () => {
    const { admin, editor, approver, secondApprover } = h.team;
    const webhook = h.receiver.route();
    const brand = await gql<{
      id: string;
      channels: { id: string; kind: string; signingSecret: string | null }[];
    }>(
      'createBrand',
      CREATE_BRAND,
      {
        input: {
          name: 'Oatly-ish',
          identity: { toneOfVoice: 'Warm', guardrails: ['no medical claims'], colours: [] },
          country: 'GB',
          language: 'en-GB',
          allowedContentTypes: ['article'],
          workflow: [
            { name: 'Brand review', role: 'approver' },
            { name: 'Legal review', role: 'approver' },
          ],
          channels: [{ kind: 'webhook', url: webhook.url }, { kind: 'feed' }],
        },
      },
      admin.accessToken,
    );
    for (const [user, role] of [
      [editor, 'editor'],
      [approver, 'approver'],
      [secondApprover, 'approver'],
    ] as const) {
      await gql(
        'addBrandMember',
        ADD_MEMBER,
        { brandId: brand.id, userId: user.id, role },
        admin.accessToken,
      );
    }
    const body = 'Our oat drink is made from Swedish oats and foams beautifully in coffee.';
    const { id } = await gql<{ id: string }>(
      'createContent',
      CREATE_CONTENT,
      {
        input: {
          brandId: brand.id,
          type: 'article',
          title: 'Oat milk, explained',
          fields: [{ key: 'body', value: body }],
        },
      },
      editor.accessToken,
    );
    await gql('submitContent', SUBMIT, { id }, editor.accessToken);
    await gql('approveContent', APPROVE, { id }, approver.accessToken);
    await gql('approveContent', APPROVE, { id, comment: 'Legal is happy' }, secondApprover.accessToken);
    await gql('publishContent', PUBLISH, { id }, approver.accessToken);

    let progress: Progress | undefined;
    await vi.waitFor(
      async () => {
        progress = await gql<Progress>('workflowProgress', WORKFLOW, { id }, editor.accessToken);
        expect(progress.status).toBe('published');
      },
      { timeout: 20_000, interval: 100 },
    );
    expect(progress?.publication?.state).toBe('published');
    expect(progress?.publication?.steps.map(({ step, outcome }) => `${step}:${outcome}`)).toEqual(
      ['validate', 'compliance', 'metadata', 'channels', 'notify'].flatMap((step) => [
        `${step}:started`,
        `${step}:completed`,
      ]),
    );
    expect(progress?.publication?.channels.map(({ kind, state }) => [kind, state])).toEqual([
      ['webhook', 'delivered'],
      ['feed', 'delivered'],
    ]);
    const content = await gql<{ status: string; metadata: { seoTitle: string | null; keywords: string[] } }>(
      'content',
      CONTENT,
      { id },
      editor.accessToken,
    );
    expect(content.status).toBe('published');
    expect(content.metadata.seoTitle).toEqual(expect.any(String));

    const feed = await fetch(`${baseUrl}/brands/${brand.id}/feed.json`);
    expect(feed.status).toBe(200);
    expect(await feed.json()).toMatchObject({
      items: [{ id, title: 'Oat milk, explained', content_text: `body: ${body}` }],
    });

    const [delivery] = await webhook.waitForDeliveries(1);
    const secret = brand.channels.find((channel) => channel.kind === 'webhook')?.signingSecret ?? '';
    expect(verifySignature(secret, delivery?.signature, delivery?.body ?? '', new Date())).toBe(true);
    expect(delivery?.json).toMatchObject({
      type: 'content.published',
      contentId: id,
      brandId: brand.id,
      title: 'Oat milk, explained',
      fields: [{ key: 'body', value: body }],
      metadata: content.metadata,
    });
    expect(webhook.deliveries).toHaveLength(1);
  });
});
