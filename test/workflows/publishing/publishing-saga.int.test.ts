import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { feedPath } from '../../../src/channels/feed.ts';
import { verifySignature } from '../../../src/channels/webhook-signature.ts';
import {
  approveThroughWorkflow,
  CANCEL,
  CONTENT,
  type ContentView,
  CREATE_CONTENT,
} from '../../api/content/support.ts';
import { fieldOf } from '../../api/support/identity-app.ts';
import { type ReceivedDelivery, replies } from '../../support/webhook-receiver.ts';
import { executionsOf } from '../fixtures/harness.ts';
import {
  approvedArticle,
  type BrandChannel,
  brandWith,
  COMPLIANT_BODY,
  contentEvents,
  contentView,
  eventsOfType,
  type PublishingHarness,
  requestPublish,
  sagaOf,
  startPublishingHarness,
} from './support/harness.ts';

const UNPUBLISH = `mutation ($id: ID!, $reason: String) { unpublishContent(id: $id, reason: $reason) { id status } }`;

const CHANNELS = `query ($id: ID!) {
  workflowProgress(contentId: $id) {
    publication { channels { channelId kind state location attempts lastError lastAttemptAt } }
  }
  content(id: $id) { workflow { publication { channels { channelId state attempts lastError } } } }
}`;

interface ChannelView {
  channelId: string;
  kind: string;
  state: string;
  location: string | null;
  attempts: number;
  lastError: string | null;
  lastAttemptAt: string | null;
}

/**
 * Each channel's delivery as `workflowProgress` shows it, once `until` holds; the content's own
 * channel list (`Content.workflow`) must say the same.
 */
async function channelsOnceThey(
  team: { editor: { accessToken: string } },
  contentId: string,
  until: (channels: ChannelView[]) => boolean,
): Promise<ChannelView[]> {
  let channels: ChannelView[] = [];
  await vi.waitFor(
    async () => {
      const response = await h.api.gql(CHANNELS, { id: contentId }, team.editor.accessToken);
      type Publication<Channel> = { publication: { channels: Channel[] } | null };
      channels = fieldOf<Publication<ChannelView>>(response, 'workflowProgress').publication?.channels ?? [];
      const listed = fieldOf<{ workflow: Publication<Partial<ChannelView>> }>(response, 'content');
      expect(listed.workflow.publication?.channels).toEqual(
        channels.map(({ channelId, state, attempts, lastError }) => ({
          channelId,
          state,
          attempts,
          lastError,
        })),
      );
      expect(until(channels), JSON.stringify(channels)).toBe(true);
    },
    { timeout: 15_000, interval: 50 },
  );
  return channels;
}

let h: PublishingHarness;
beforeAll(async () => {
  h = await startPublishingHarness();
});
afterAll(async () => {
  await h?.close();
});

/** Signed with the key the API shows the brand's admins for that channel, within the last minutes. */
function expectSigned(delivery: ReceivedDelivery | undefined, channel: BrandChannel | undefined) {
  expect(channel?.signingSecret).toEqual(expect.any(String));
  expect(
    verifySignature(channel?.signingSecret ?? '', delivery?.signature, delivery?.body ?? '', new Date()),
  ).toBe(true);
}

async function feedItemIds(brandId: string): Promise<string[]> {
  const response = await h.api.app.inject({ method: 'GET', url: feedPath(brandId) });
  expect(response.statusCode).toBe(200);
  return response.json<{ items: { id: string }[] }>().items.map((item) => item.id);
}

const VERSION_FIELDS = `query ($id: ID!) { contentVersions(contentId: $id) { nodes { version fields { key value } } } }`;

describe('the publishing saga', () => {
  it('keeps the fields in the order the author gave them: GraphQL, versions, the webhook and the feed', async () => {
    const webhook = h.receiver.route();
    const { team } = await brandWith(h, [{ kind: 'webhook', url: webhook.url }, { kind: 'feed' }]);
    // jsonb orders object keys shorter first: a record would come back as cta, then body.
    const fields = [
      { key: 'body', value: COMPLIANT_BODY },
      { key: 'cta', value: 'Try it in your coffee.' },
    ];
    const draft = fieldOf<ContentView>(
      await h.api.gql(
        CREATE_CONTENT,
        { input: { brandId: team.brandId, type: 'article', title: 'Body, then the call', fields } },
        team.editor.accessToken,
      ),
      'createContent',
    );
    expect(draft.fields).toEqual(fields);
    expect((await approveThroughWorkflow(h.api, team, draft.id)).fields).toEqual(fields);
    const read = fieldOf<ContentView>(
      await h.api.gql(CONTENT, { id: draft.id }, team.editor.accessToken),
      'content',
    );
    expect(read.fields).toEqual(fields);
    const versions = fieldOf<{ nodes: { version: number; fields: typeof fields }[] }>(
      await h.api.gql(VERSION_FIELDS, { id: draft.id }, team.editor.accessToken),
      'contentVersions',
    );
    expect(versions.nodes).toEqual([{ version: 1, fields }]);

    const publicationId = await requestPublish(h, team, draft.id);
    expect(await (await sagaOf(h, draft.id, publicationId)).result()).toMatchObject({ outcome: 'published' });
    const [delivery] = await webhook.waitForDeliveries(1);
    expect(delivery?.json).toMatchObject({ fields });
    // The body as sent, not only as parsed: the order is in the bytes the receiver signs and reads.
    expect(delivery?.body.indexOf('"body"')).toBeLessThan(delivery?.body.indexOf('"cta"') ?? -1);
    await vi.waitFor(async () => {
      const response = await h.api.app.inject({ method: 'GET', url: feedPath(team.brandId) });
      const [item] = response.json<{ items: { id: string; content_text: string }[] }>().items;
      expect(item).toMatchObject({
        id: draft.id,
        content_text: `body: ${COMPLIANT_BODY}\n\ncta: Try it in your coffee.`,
      });
    });
  });

  it('publishes approved content to a webhook and the feed, with generated metadata, step by step', async () => {
    const webhook = h.receiver.route();
    const { team, channels } = await brandWith(h, [{ kind: 'webhook', url: webhook.url }, { kind: 'feed' }]);
    const content = await approvedArticle(h, team);
    expect(content.metadata.seoTitle).toBeNull();
    const publicationId = await requestPublish(h, team, content.id);

    const saga = await sagaOf(h, content.id, publicationId);
    expect(await saga.result()).toEqual({ outcome: 'published', reasons: [], compensationFailures: [] });

    const [delivery] = await webhook.waitForDeliveries(1);
    expect(webhook.deliveries).toHaveLength(1);
    expectSigned(delivery, channels[0]);
    expect(delivery?.event).toBe('content.published');
    expect(delivery?.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(delivery?.json).toEqual({
      type: 'content.published',
      contentId: content.id,
      publicationId,
      brandId: team.brandId,
      title: 'Oat milk, explained',
      fields: [{ key: 'body', value: content.fields[0]?.value }],
      metadata: {
        seoTitle: expect.any(String),
        seoDescription: expect.any(String),
        keywords: expect.any(Array),
      },
      publishedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });

    const published = await contentView(h, team, content.id, (view) => view.status === 'published');
    expect(delivery?.json).toMatchObject({ metadata: published.metadata });
    expect(published.publishFailure).toBeNull();
    expect(await channelsOnceThey(team, content.id, () => true)).toEqual([
      {
        channelId: channels[0]?.id,
        kind: 'webhook',
        state: 'delivered',
        location: `${h.receiver.baseUrl}/received/${delivery?.idempotencyKey}`,
        attempts: 1,
        lastError: null,
        lastAttemptAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      },
      {
        channelId: channels[1]?.id,
        kind: 'feed',
        state: 'delivered',
        location: feedPath(team.brandId),
        attempts: 1,
        lastError: null,
        lastAttemptAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      },
    ]);
    await vi.waitFor(async () => expect(await feedItemIds(team.brandId)).toEqual([content.id]));

    const progress = await saga.progress();
    expect(progress.state).toBe('published');
    expect(progress.steps.map(({ step, outcome }) => `${step}:${outcome}`)).toEqual([
      'validate:started',
      'validate:completed',
      'compliance:started',
      'compliance:completed',
      'metadata:started',
      'metadata:completed',
      'channels:started',
      'channels:completed',
      'notify:started',
      'notify:completed',
    ]);
    expect(progress.channels).toEqual([
      {
        channelId: channels[0]?.id,
        kind: 'webhook',
        state: 'published',
        location: `${h.receiver.baseUrl}/received/${delivery?.idempotencyKey}`,
        error: null,
      },
      {
        channelId: channels[1]?.id,
        kind: 'feed',
        state: 'published',
        location: feedPath(team.brandId),
        error: null,
      },
    ]);

    const events = await contentEvents(h, content.id);
    expect(eventsOfType(events, 'ContentPublished')).toHaveLength(1);
    expect(eventsOfType(events, 'ContentStakeholdersNotified').map((event) => event.data)).toEqual([
      expect.objectContaining({
        outcome: 'published',
        recipients: [team.admin.id, team.editor.id, team.approver.id, team.secondApprover.id].sort(),
      }),
    ]);
    expect(await executionsOf(h.client, saga.handle.workflowId)).toBe(1);
  });

  it('refuses content that breaks a guardrail: back to draft with the reasons, no channel called', async () => {
    const webhook = h.receiver.route();
    const { team } = await brandWith(h, [{ kind: 'webhook', url: webhook.url }, { kind: 'feed' }], {
      guardrails: ['no medical claims'],
    });
    const content = await approvedArticle(h, team, 'Our oat drink cures headaches overnight.');
    const publicationId = await requestPublish(h, team, content.id);

    const saga = await sagaOf(h, content.id, publicationId);
    const result = await saga.result();
    expect(result.outcome).toBe('failed');
    expect(result.reasons).toEqual([expect.stringContaining('no medical claims')]);
    expect(result.reasons[0]).toContain('cures');

    const draft = await contentView(h, team, content.id, (view) => view.status === 'draft');
    expect(draft.publishFailure).toEqual({ stage: 'compliance', reasons: result.reasons });
    expect(draft.metadata.seoTitle).toBeNull();
    expect(webhook.deliveries).toEqual([]);
    expect(await feedItemIds(team.brandId)).toEqual([]);
    const events = await contentEvents(h, content.id);
    expect(eventsOfType(events, 'ContentMetadataGenerated')).toEqual([]);
    expect(eventsOfType(events, 'ContentChannelPublished')).toEqual([]);
    expect(eventsOfType(events, 'ContentStakeholdersNotified').map((event) => event.data.outcome)).toEqual([
      'failed',
    ]);
    expect((await saga.progress()).steps.map(({ step, outcome }) => `${step}:${outcome}`)).toEqual([
      'validate:started',
      'validate:completed',
      'compliance:started',
      'compliance:failed',
    ]);
  });

  it('retries a webhook that fails once with the same idempotency key, and publishes', async () => {
    const webhook = h.receiver.route(replies.sequence(500, 201));
    const { team, channels } = await brandWith(h, [{ kind: 'webhook', url: webhook.url }]);
    const content = await approvedArticle(h, team);
    const publicationId = await requestPublish(h, team, content.id);

    expect((await (await sagaOf(h, content.id, publicationId)).result()).outcome).toBe('published');
    const [failed, succeeded] = webhook.deliveries;
    expect(webhook.deliveries.map((delivery) => delivery.outcome)).toEqual([500, 201]);
    expectSigned(failed, channels[0]);
    expectSigned(succeeded, channels[0]);
    expect(succeeded?.idempotencyKey).toBe(failed?.idempotencyKey);
    expect(succeeded?.body).toBe(failed?.body);
    await contentView(h, team, content.id, (view) => view.status === 'published');
    const events = await contentEvents(h, content.id);
    expect(eventsOfType(events, 'ContentChannelPublished')).toHaveLength(1);
    // Delivered on the second attempt; the first one's failure is still there to see.
    const [channel] = await channelsOnceThey(team, content.id, ([only]) => only?.state === 'delivered');
    expect(channel).toMatchObject({ attempts: 2, lastError: 'the receiver answered HTTP 500' });
  });

  it('when a webhook always fails, takes the content off the channels it reached (last first) and reverts the metadata', async () => {
    const good = h.receiver.route();
    const broken = h.receiver.route(replies.always(500));
    const { team, channels } = await brandWith(h, [
      { kind: 'webhook', url: good.url },
      { kind: 'feed' },
      { kind: 'webhook', url: broken.url },
    ]);
    const content = await approvedArticle(h, team);
    const publicationId = await requestPublish(h, team, content.id);

    const saga = await sagaOf(h, content.id, publicationId);
    const result = await saga.result();
    expect(result).toEqual({
      outcome: 'failed',
      reasons: [`Webhook channel ${broken.url}: Webhook ${broken.url} answered 500`],
      compensationFailures: [],
    });
    // Three attempts (the test's retry policy), then the receiver that had it is told to take it down.
    expect(broken.deliveries.map((delivery) => delivery.outcome)).toEqual([500, 500, 500]);
    expect(good.deliveries.map((delivery) => [delivery.event, delivery.outcome])).toEqual([
      ['content.published', 201],
      ['content.unpublished', 201],
    ]);
    const [published, unpublished] = good.deliveries;
    expectSigned(unpublished, channels[0]);
    expect(unpublished?.idempotencyKey).not.toBe(published?.idempotencyKey);
    expect(unpublished?.json).toEqual({
      type: 'content.unpublished',
      contentId: content.id,
      publicationId,
      brandId: team.brandId,
      unpublishedAt: expect.any(String),
    });

    const approved = await contentView(h, team, content.id, (view) => view.publishFailure !== null);
    expect(approved.status).toBe('approved');
    expect(approved.publishFailure).toEqual({ stage: 'channels', reasons: result.reasons });
    expect(approved.metadata).toEqual(content.metadata);
    expect(await feedItemIds(team.brandId)).toEqual([]);

    const events = await contentEvents(h, content.id);
    const undone = events.filter((event) =>
      ['ContentChannelUnpublished', 'ContentMetadataReverted'].includes(event.type),
    );
    expect(undone.map((event) => ('channelId' in event.data ? event.data.channelId : event.type))).toEqual([
      channels[1]?.id,
      channels[0]?.id,
      'ContentMetadataReverted',
    ]);
    expect(eventsOfType(events, 'ContentStakeholdersNotified').map((event) => event.data.outcome)).toEqual([
      'failed',
    ]);
    const progress = await saga.progress();
    expect(progress.state).toBe('failed');
    expect(progress.steps.map(({ step, outcome }) => `${step}:${outcome}`).slice(-4)).toEqual([
      'channels:started',
      'channels:failed',
      'compensate:started',
      'compensate:completed',
    ]);
    expect(progress.channels.map((channel) => channel.state)).toEqual([
      'unpublished',
      'unpublished',
      'failed',
    ]);
  });

  it('shows each channel delivering, its attempts and last error as they happen, then failed once the retries give up', async () => {
    const good = h.receiver.route();
    // The second attempt is held open until the first one's failure has been seen.
    const broken = h.receiver.route(replies.sequence(500, 'hold', 500));
    const { team, channels } = await brandWith(h, [
      { kind: 'webhook', url: good.url },
      { kind: 'webhook', url: broken.url },
    ]);
    const content = await approvedArticle(h, team);
    const publicationId = await requestPublish(h, team, content.id);
    const saga = await sagaOf(h, content.id, publicationId);

    await broken.waitForDeliveries(2);
    const retrying = await channelsOnceThey(team, content.id, ([, second]) => second?.state === 'delivering');
    expect(retrying).toEqual([
      {
        channelId: channels[0]?.id,
        kind: 'webhook',
        state: 'delivered',
        location: expect.stringContaining(`${h.receiver.baseUrl}/received/`),
        attempts: 1,
        lastError: null,
        lastAttemptAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      },
      {
        channelId: channels[1]?.id,
        kind: 'webhook',
        state: 'delivering',
        location: null,
        attempts: 1,
        lastError: 'the receiver answered HTTP 500',
        lastAttemptAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      },
    ]);
    // The coarse error names neither the URL nor anything the receiver said.
    expect(retrying[1]?.lastError).not.toContain('127.0.0.1');
    broken.release(500);

    expect((await saga.result()).outcome).toBe('failed');
    const gaveUp = await channelsOnceThey(team, content.id, ([first, second]) => {
      return second?.state === 'failed' && first?.state === 'unpublished';
    });
    expect(gaveUp[1]).toMatchObject({
      state: 'failed',
      attempts: 3,
      lastError: 'the receiver answered HTTP 500',
    });
    expect(Date.parse(gaveUp[1]?.lastAttemptAt ?? '')).toBeGreaterThanOrEqual(
      Date.parse(retrying[1]?.lastAttemptAt ?? ''),
    );
    // The good channel was delivered once, then taken down again by the compensation.
    expect(gaveUp[0]).toMatchObject({ state: 'unpublished', attempts: 1, lastError: null });

    const events = await contentEvents(h, content.id);
    const attempts = eventsOfType(events, 'ContentChannelDeliveryAttempted');
    expect(attempts.map(({ data }) => [data.channelId, data.attempt, data.outcome, data.failure])).toEqual([
      [channels[0]?.id, 1, 'delivered', null],
      [channels[1]?.id, 1, 'failed', { reason: 'http_status', status: 500 }],
      [channels[1]?.id, 2, 'failed', { reason: 'http_status', status: 500 }],
      [channels[1]?.id, 3, 'failed', { reason: 'http_status', status: 500 }],
    ]);
    expect(eventsOfType(events, 'ContentChannelFailed').map(({ data }) => data)).toEqual([
      {
        contentId: content.id,
        publicationId,
        channelId: channels[1]?.id,
        kind: 'webhook',
        failure: { reason: 'http_status', status: 500 },
      },
    ]);
  });

  it('does not retry a webhook that refuses the delivery with a 4xx', async () => {
    const refusing = h.receiver.route(replies.always(422));
    const { team } = await brandWith(h, [{ kind: 'webhook', url: refusing.url }]);
    const content = await approvedArticle(h, team);
    const publicationId = await requestPublish(h, team, content.id);

    const result = await (await sagaOf(h, content.id, publicationId)).result();
    expect(result.outcome).toBe('failed');
    expect(result.reasons).toEqual([expect.stringContaining('refused the delivery with 422')]);
    expect(refusing.deliveries).toHaveLength(1);
    await contentView(h, team, content.id, (view) => view.publishFailure?.stage === 'channels');
    const [channel] = await channelsOnceThey(team, content.id, ([only]) => only?.state === 'failed');
    expect(channel).toMatchObject({ attempts: 1, lastError: 'the receiver answered HTTP 422' });
  });

  it('records and reports a compensation that fails, and still runs the others', async () => {
    const stubborn = h.receiver.route(
      replies.byEvent({ 'content.published': 201, 'content.unpublished': 500 }),
    );
    const broken = h.receiver.route(replies.always(503));
    const { team } = await brandWith(h, [
      { kind: 'webhook', url: stubborn.url },
      { kind: 'webhook', url: broken.url },
    ]);
    const content = await approvedArticle(h, team);
    const publicationId = await requestPublish(h, team, content.id);

    const saga = await sagaOf(h, content.id, publicationId);
    await expect(saga.result()).rejects.toMatchObject({
      cause: { type: 'CompensationFailed', message: expect.stringContaining(stubborn.url) },
    });
    expect(stubborn.deliveries.map((delivery) => [delivery.event, delivery.outcome])).toEqual([
      ['content.published', 201],
      ['content.unpublished', 500],
      ['content.unpublished', 500],
      ['content.unpublished', 500],
    ]);
    const events = await contentEvents(h, content.id);
    const compensate = eventsOfType(events, 'ContentPublishStepRecorded').filter(
      (event) => event.data.step === 'compensate',
    );
    expect(compensate.map((event) => event.data.outcome)).toEqual(['started', 'failed']);
    expect(compensate[1]?.data.detail).toContain(`answered 500`);
    expect(eventsOfType(events, 'ContentMetadataReverted')).toHaveLength(1);
    expect(eventsOfType(events, 'ContentPublishFailed').map((event) => event.data.stage)).toEqual([
      'channels',
    ]);
    const progress = await saga.progress();
    expect(progress.compensationFailures).toEqual([expect.stringContaining('answered 500')]);
    expect(progress.channels.map((channel) => channel.state)).toEqual(['unpublish_failed', 'failed']);
  });

  it('cancelled before its time, a scheduled publication never starts', async () => {
    const webhook = h.receiver.route();
    const { team } = await brandWith(h, [{ kind: 'webhook', url: webhook.url }, { kind: 'feed' }]);
    const content = await approvedArticle(h, team);
    const publishAt = new Date(Date.now() + 15_000).toISOString();
    const publicationId = await requestPublish(h, team, content.id, publishAt);

    const saga = await sagaOf(h, content.id, publicationId);
    await vi.waitFor(async () => expect((await saga.progress()).state).toBe('scheduled'));
    await contentView(h, team, content.id, (view) => view.status === 'scheduled');
    fieldOf(await h.api.gql(CANCEL, { id: content.id }, team.approver.accessToken), 'cancelPublish');

    expect(await saga.result()).toEqual({ outcome: 'cancelled', reasons: [], compensationFailures: [] });
    expect(Date.now()).toBeLessThan(Date.parse(publishAt));
    expect((await saga.handle.describe()).status.name).toBe('COMPLETED');
    expect(webhook.deliveries).toEqual([]);
    await contentView(h, team, content.id, (view) => view.status === 'approved');
    const types = (await contentEvents(h, content.id)).map((event) => event.type);
    expect(types.slice(-2)).toEqual(['ContentPublishRequested', 'ContentPublishCancelled']);
  });

  it('a scheduled publication waits for its time, then publishes', async () => {
    const webhook = h.receiver.route();
    const { team } = await brandWith(h, [{ kind: 'webhook', url: webhook.url }]);
    const content = await approvedArticle(h, team);
    const publishAt = new Date(Date.now() + 2_000).toISOString();
    const publicationId = await requestPublish(h, team, content.id, publishAt);

    const saga = await sagaOf(h, content.id, publicationId);
    expect((await saga.progress()).state).toBe('scheduled');
    expect((await saga.result()).outcome).toBe('published');
    expect(webhook.deliveries).toHaveLength(1);
    const [published] = eventsOfType(await contentEvents(h, content.id), 'ContentPublished');
    expect(Date.parse(published?.data.publishedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(publishAt));
    await contentView(h, team, content.id, (view) => view.status === 'published');
  });

  it('cancelled while its first channel is being delivered, takes that delivery back and ends', async () => {
    const held = h.receiver.route(replies.sequence('hold', 201));
    const { team, channels } = await brandWith(h, [{ kind: 'webhook', url: held.url }, { kind: 'feed' }]);
    const content = await approvedArticle(h, team);
    const publicationId = await requestPublish(h, team, content.id);
    const saga = await sagaOf(h, content.id, publicationId);
    await held.waitForDeliveries(1);
    // No channel is recorded yet, so the cancel is accepted; the receiver then answers 201 anyway.
    fieldOf(await h.api.gql(CANCEL, { id: content.id }, team.approver.accessToken), 'cancelPublish');
    held.release(201);

    expect(await saga.result()).toEqual({ outcome: 'cancelled', reasons: [], compensationFailures: [] });
    expect(held.deliveries.map((delivery) => [delivery.event, delivery.outcome])).toEqual([
      ['content.published', 201],
      ['content.unpublished', 201],
    ]);
    expectSigned(held.deliveries[1], channels[0]);
    const approved = await contentView(h, team, content.id, (view) => view.status === 'approved');
    expect(approved.metadata).toEqual(content.metadata);
    expect(approved.publishFailure).toBeNull();
    const types = (await contentEvents(h, content.id)).map((event) => event.type);
    expect(types).toContain('ContentPublishCancelled');
    expect(types).toContain('ContentMetadataReverted');
    expect(types).not.toContain('ContentChannelPublished');
    expect(types).not.toContain('ContentPublishFailed');
    expect(await feedItemIds(team.brandId)).toEqual([]);
    expect((await saga.progress()).state).toBe('cancelled');
  });

  it('unpublishing takes the content off every channel it is on', async () => {
    const webhook = h.receiver.route();
    const { team, channels } = await brandWith(h, [{ kind: 'webhook', url: webhook.url }, { kind: 'feed' }]);
    const content = await approvedArticle(h, team);
    const publicationId = await requestPublish(h, team, content.id);
    expect((await (await sagaOf(h, content.id, publicationId)).result()).outcome).toBe('published');
    await vi.waitFor(async () => expect(await feedItemIds(team.brandId)).toEqual([content.id]));

    fieldOf(
      await h.api.gql(UNPUBLISH, { id: content.id, reason: 'Out of stock' }, team.approver.accessToken),
      'unpublishContent',
    );
    const [, unpublished] = await webhook.waitForDeliveries(2);
    expect(unpublished?.event).toBe('content.unpublished');
    expectSigned(unpublished, channels[0]);
    await vi.waitFor(async () => {
      const events = await contentEvents(h, content.id);
      expect(eventsOfType(events, 'ContentChannelUnpublished').map((event) => event.data.channelId)).toEqual([
        channels[0]?.id,
        channels[1]?.id,
      ]);
    });
    expect(await feedItemIds(team.brandId)).toEqual([]);
    await contentView(h, team, content.id, (view) => view.status === 'approved');
  });
});
