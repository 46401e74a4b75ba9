import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STRICT_OUTBOUND_POLICY } from '../../../src/net/outbound-policy.ts';
import { type BrandTeam, brandTeam, CREATE_BRAND } from '../../api/content/support.ts';
import { errorCodes, type IdentityApp, startIdentityApp } from '../../api/support/identity-app.ts';
import {
  approvedArticle,
  brandWith,
  contentEvents,
  contentView,
  eventsOfType,
  LOOPBACK_ALLOWED,
  type PublishingHarness,
  requestPublish,
  sagaOf,
  startPublishingHarness,
} from './support/harness.ts';

/**
 * Server-side request forgery through webhook channels (docs/security.md, Outbound calls): a brand
 * admin cannot aim a channel at Chronicle's own network, neither when setting it nor, should one
 * get stored anyway, when the worker delivers.
 */
const UPDATE = `mutation ($id: ID!, $input: UpdateBrandInput!) { updateBrand(id: $id, input: $input) { id } }`;

const INTERNAL_TARGETS = [
  'http://127.0.0.1:8080/hook',
  'http://169.254.169.254/latest/meta-data/',
  'http://localhost:8080/hook',
  'http://2130706433/hook',
  'http://0x7f.1/hook',
  'http://[::ffff:127.0.0.1]/hook',
  'http://[::1]/hook',
  'http://10.0.0.1/hook',
  'http://100.64.0.1/hook',
];

describe('webhook targets, when a brand is configured (no allow-list)', () => {
  let api: IdentityApp;
  let team: BrandTeam;
  beforeAll(async () => {
    api = await startIdentityApp();
    team = await brandTeam(api);
  });
  afterAll(async () => {
    await api?.close();
  });

  const createWith = (url: string) =>
    api.gql(
      CREATE_BRAND,
      {
        input: {
          name: 'Internal hooks',
          identity: { toneOfVoice: '', guardrails: [], colours: [] },
          country: 'GB',
          language: 'en-GB',
          allowedContentTypes: ['article'],
          workflow: [],
          channels: [{ kind: 'webhook', url }],
        },
      },
      team.admin.accessToken,
    );
  const updateWith = (url: string, token = team.admin.accessToken) =>
    api.gql(
      UPDATE,
      { id: team.brandId, input: { channels: [{ kind: 'webhook', url }, { kind: 'feed' }] } },
      token,
    );

  it.each(INTERNAL_TARGETS)('refuses %s, on creation and on update', async (url) => {
    const created = await createWith(url);
    expect(errorCodes(created)).toEqual(['VALIDATION/WEBHOOK_TARGET_NOT_ALLOWED']);
    expect(created.errors?.[0]?.extensions).toMatchObject({ url, problem: 'INTERNAL_ADDRESS' });
    expect(errorCodes(await updateWith(url))).toEqual(['VALIDATION/WEBHOOK_TARGET_NOT_ALLOWED']);
  });

  it('names the address the URL spells, in whatever form it was given', async () => {
    const refused = await createWith('http://0251.0376.0251.0376/latest/meta-data/');
    expect(refused.errors?.[0]?.message).toBe(
      'Webhook URL refused: the host 169.254.169.254 is a link-local address',
    );
  });

  it('refuses other schemes and credentials in the URL', async () => {
    const scheme = await updateWith('ftp://hooks.example.org/in');
    expect(errorCodes(scheme)).toEqual(['VALIDATION/WEBHOOK_TARGET_NOT_ALLOWED']);
    expect(scheme.errors?.[0]?.extensions).toMatchObject({ problem: 'SCHEME' });
    const credentials = await updateWith('https://admin:hunter2@hooks.example.org/in');
    expect(errorCodes(credentials)).toEqual(['VALIDATION/WEBHOOK_TARGET_NOT_ALLOWED']);
    expect(credentials.errors?.[0]?.extensions).toMatchObject({ problem: 'CREDENTIALS' });
  });

  it('tells someone who may not change the brand only that, not what the check would find', async () => {
    expect(errorCodes(await updateWith('http://169.254.169.254/', team.editor.accessToken))).toEqual([
      'FORBIDDEN/BRAND_ADMIN_ONLY',
    ]);
  });

  it('keeps public targets (and names that do not resolve here) configurable', async () => {
    expect(errorCodes(await updateWith('https://hooks.example.org/chronicle'))).toEqual([]);
    expect(errorCodes(await updateWith('https://93.184.215.14/chronicle'))).toEqual([]);
  });
});

describe('webhook targets, when the worker delivers', () => {
  // The API allows the loopback receiver (as OUTBOUND_ALLOW_INTERNAL=127.0.0.1 would); the worker
  // has no allow-list: a channel configured before the allow-list was removed.
  let h: PublishingHarness;
  beforeAll(async () => {
    h = await startPublishingHarness({
      apiOutbound: LOOPBACK_ALLOWED,
      workerOutbound: STRICT_OUTBOUND_POLICY,
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('the API takes the allow-listed receiver, and still refuses what the list does not name', async () => {
    const { channels } = await brandWith(h, [{ kind: 'webhook', url: h.receiver.route().url }]);
    expect(channels).toHaveLength(1);
    const refused = await h.api.gql(
      UPDATE,
      {
        id: (await brandWith(h, [{ kind: 'feed' }])).team.brandId,
        input: { channels: [{ kind: 'webhook', url: 'http://169.254.169.254/' }] },
      },
      h.team.admin.accessToken,
    );
    expect(errorCodes(refused)).toEqual(['VALIDATION/WEBHOOK_TARGET_NOT_ALLOWED']);
  });

  it('refuses to deliver to a target its allow-list does not name: nothing is sent, nothing internal recorded', async () => {
    const webhook = h.receiver.route();
    const { team } = await brandWith(h, [{ kind: 'webhook', url: webhook.url }, { kind: 'feed' }]);
    const content = await approvedArticle(h, team);
    const publicationId = await requestPublish(h, team, content.id);
    const result = await (await sagaOf(h, content.id, publicationId)).result();

    const reason = `Webhook channel ${webhook.url}: Webhook ${webhook.url} is not allowed: webhooks are not delivered to internal addresses`;
    expect(result).toMatchObject({ outcome: 'failed', reasons: [reason] });
    // Refused before connecting: the receiver never heard of it.
    expect(webhook.deliveries).toEqual([]);
    const failed = await contentView(h, team, content.id, (view) => view.publishFailure !== null);
    expect(failed.publishFailure).toEqual({ stage: 'channels', reasons: [reason] });
    const events = await contentEvents(h, content.id);
    expect(eventsOfType(events, 'ContentChannelPublished')).toEqual([]);
  });
});
