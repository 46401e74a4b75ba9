import { randomUUID } from 'node:crypto';
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import { NativeConnection, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { expect, inject, vi } from 'vitest';
import { createAiProvider } from '../../../../src/ai/create-ai-provider.ts';
import { loadAggregate } from '../../../../src/commands/load-aggregate.ts';
import { contentAggregate } from '../../../../src/domain/content/content-decider.ts';
import type { ContentEvent } from '../../../../src/domain/content/content-events.ts';
import { contentStream } from '../../../../src/domain/content/streams.ts';
import type { Logger } from '../../../../src/logger.ts';
import { type OutboundPolicy, outboundPolicy } from '../../../../src/net/outbound-policy.ts';
import {
  createProcessManager,
  type ProcessManager,
} from '../../../../src/workflows/process-manager/process-manager.ts';
import { createPublishingActivities } from '../../../../src/workflows/publishing/activities.ts';
import { publishingWorkflowId } from '../../../../src/workflows/publishing/ids.ts';
import type { PublicationProgress } from '../../../../src/workflows/publishing/progress.ts';
import { publishingReactions } from '../../../../src/workflows/publishing/reactions.ts';
import type { PublishingSettingsInput } from '../../../../src/workflows/publishing/settings.ts';
import type { publishContent } from '../../../../src/workflows/publishing/workflow.ts';
import { connectTemporalClient, type TemporalClient } from '../../../../src/workflows/temporal-connection.ts';
import { installTemporalRuntime } from '../../../../src/workflows/temporal-runtime.ts';
import {
  bundleWorkflows,
  createWorker,
  shutdownWorker,
  WORKFLOWS_PATH,
} from '../../../../src/workflows/worker.ts';
import {
  ADD_MEMBER,
  approveThroughWorkflow,
  type BrandTeam,
  brandTeam,
  CONTENT,
  type ContentView,
  CREATE_BRAND,
  createArticle,
  PUBLISH,
} from '../../../api/content/support.ts';
import {
  fieldOf,
  type IdentityApp,
  startIdentityApp,
  TEST_AUTH_SECRET,
} from '../../../api/support/identity-app.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../../../support/webhook-receiver.ts';
import { testLog } from '../../fixtures/harness.ts';

/** Retries in milliseconds, not minutes: a webhook that always fails gives up after 3 attempts. */
export const FAST_SETTINGS: PublishingSettingsInput = {
  commands: { initialIntervalMs: 100, maximumIntervalMs: 500, maximumAttempts: 20 },
  ai: { initialIntervalMs: 100, maximumIntervalMs: 500, maximumAttempts: 3 },
  delivery: {
    maximumAttempts: 3,
    initialIntervalMs: 100,
    backoffCoefficient: 2,
    maximumIntervalMs: 400,
    requestTimeoutMs: 3_000,
    heartbeatTimeoutMs: 1_000,
  },
};

/**
 * The webhook receiver listens on 127.0.0.1, an internal address: the API and the workers are
 * told it is allowed, as a deployment with internal receivers sets OUTBOUND_ALLOW_INTERNAL.
 */
export const LOOPBACK_ALLOWED = outboundPolicy(['127.0.0.1']);

/** The signing key the workers use: the API's, so the key brand admins read back verifies deliveries. */
export const AUTH_SECRET = new TextEncoder().encode(TEST_AUTH_SECRET);

export interface SagaWorker {
  close(): Promise<void>;
}

export interface PublishingHarness {
  api: IdentityApp;
  log: Logger;
  /** This file's own task queue: other files (and `chronicle worker` tests) never take its tasks. */
  taskQueue: string;
  client: Client;
  receiver: WebhookReceiver;
  /** Users in every role; each test makes its own brand for them (`brandWith`). */
  team: BrandTeam;
  bundle: WorkflowBundleWithSourceMap;
  /** A worker in this process, running the production bundle and activities. */
  startWorker(): Promise<SagaWorker>;
  close(): Promise<void>;
}

/**
 * What `chronicle dev` runs, in this process, on a fresh database: the API with its projector, a
 * Temporal worker with Chronicle's workflow bundle and activities (local AI provider), and the
 * process manager with the publishing reactions, all on a task queue of this file's own.
 */
export async function startPublishingHarness(
  options: {
    worker?: boolean;
    /** Where brand admins may aim webhooks (default: the loopback receiver). */
    apiOutbound?: OutboundPolicy;
    /** Where the workers may deliver (default: the loopback receiver). */
    workerOutbound?: OutboundPolicy;
  } = {},
): Promise<PublishingHarness> {
  const log = testLog();
  installTemporalRuntime(log);
  const api = await startIdentityApp({ outbound: options.apiOutbound ?? LOOPBACK_ALLOWED });
  const address = inject('temporalAddress');
  const taskQueue = `test-publishing-${randomUUID()}`;
  const [bundle, connection, temporal, receiver, team] = await Promise.all([
    bundleWorkflows(WORKFLOWS_PATH, log),
    NativeConnection.connect({ address }),
    connectTemporalClient(address),
    startWebhookReceiver(),
    brandTeam(api),
  ]);
  const workers = new Set<SagaWorker>();
  const startWorker = async (): Promise<SagaWorker> => {
    const { store, codec } = api.runtime;
    const worker = await createWorker({
      connection,
      taskQueue,
      workflows: { bundle },
      activities: createPublishingActivities({
        store,
        codec,
        log,
        ai: createAiProvider({}),
        authSecret: AUTH_SECRET,
        outbound: options.workerOutbound ?? LOOPBACK_ALLOWED,
      }),
      shutdownGraceMs: 500,
      shutdownForceMs: 2_000,
    });
    const running = worker.run();
    const handle = {
      async close() {
        workers.delete(handle);
        await shutdownWorker(worker, running);
      },
    };
    workers.add(handle);
    return handle;
  };
  if (options.worker !== false) await startWorker();
  const processManager: ProcessManager = createProcessManager(
    {
      store: api.runtime.store,
      pool: api.runtime.pool,
      codec: api.runtime.codec,
      temporal: temporal.client,
      log,
    },
    publishingReactions({ taskQueue, settings: FAST_SETTINGS }),
    {
      name: `pm-${randomUUID()}`,
      backoffMs: 50,
      maxBackoffMs: 500,
      callTimeoutMs: 2_000,
      standbyRetryMs: 100,
    },
  );
  await processManager.start();
  return {
    api,
    log,
    taskQueue,
    client: temporal.client,
    receiver,
    team,
    bundle,
    startWorker,
    async close() {
      await processManager.stop();
      await Promise.all([...workers].map((worker) => worker.close()));
      await closeQuietly(temporal);
      await connection.close();
      await receiver.close();
      await api.close();
    },
  };
}

async function closeQuietly(temporal: TemporalClient) {
  await temporal.close().catch(() => undefined);
}

export type ChannelSpec = { kind: 'webhook'; url: string } | { kind: 'feed' };

export interface BrandChannel {
  id: string;
  kind: 'webhook' | 'feed';
  url: string | null;
  signingSecret: string | null;
  feedUrl: string | null;
}

/** A brand of the harness's team with these channels (in this order) and guardrails. */
export async function brandWith(
  h: PublishingHarness,
  channels: ChannelSpec[],
  options: { guardrails?: string[] } = {},
): Promise<{ team: BrandTeam; channels: BrandChannel[] }> {
  const { team, api } = h;
  const created = fieldOf<{ id: string; channels: BrandChannel[] }>(
    await api.gql(
      CREATE_BRAND,
      {
        input: {
          name: `Brand ${randomUUID().slice(0, 8)}`,
          description: 'Oat drinks for everyone',
          identity: {
            toneOfVoice: 'Warm, playful and plain-spoken',
            guardrails: options.guardrails ?? ['no medical claims'],
            colours: ['#00aa55'],
          },
          country: 'GB',
          language: 'en-GB',
          allowedContentTypes: ['article'],
          workflow: [
            { name: 'Brand review', role: 'approver' },
            { name: 'Legal review', role: 'approver' },
          ],
          channels,
        },
      },
      team.admin.accessToken,
    ),
    'createBrand',
  );
  const members: [string, string][] = [
    [team.editor.id, 'editor'],
    [team.approver.id, 'approver'],
    [team.secondApprover.id, 'approver'],
  ];
  for (const [userId, role] of members) {
    fieldOf(
      await api.gql(ADD_MEMBER, { brandId: created.id, userId, role }, team.admin.accessToken),
      'addBrandMember',
    );
  }
  return { team: { ...team, brandId: created.id }, channels: created.channels };
}

export const COMPLIANT_BODY = 'Our oat drink is made from Swedish oats and foams beautifully in coffee.';

/** An article written by the editor and approved through both review steps. */
export async function approvedArticle(
  h: PublishingHarness,
  team: BrandTeam,
  body = COMPLIANT_BODY,
): Promise<ContentView> {
  const draft = await createArticle(h.api, team, 'Oat milk, explained', body);
  const approved = await approveThroughWorkflow(h.api, team, draft.id);
  expect(approved.status).toBe('approved');
  return approved;
}

/** The approver asks to publish (at `at`, or now); returns the publication's id. */
export async function requestPublish(
  h: PublishingHarness,
  team: BrandTeam,
  contentId: string,
  at?: string,
): Promise<string> {
  fieldOf(
    await h.api.gql(PUBLISH, { id: contentId, ...(at ? { at } : {}) }, team.approver.accessToken),
    'publishContent',
  );
  const { state } = await loadAggregate(h.api.runtime, contentAggregate, contentStream(contentId));
  const publicationId = state.status === 'none' ? undefined : state.publication?.publicationId;
  if (!publicationId) throw new Error(`content ${contentId} has no publication`);
  return publicationId;
}

/** The saga's handle, once the process manager has started it. */
export async function sagaOf(h: PublishingHarness, contentId: string, publicationId: string) {
  const handle = h.client.workflow.getHandle<typeof publishContent>(
    publishingWorkflowId(contentId, publicationId),
  );
  await vi.waitFor(
    async () => {
      try {
        await handle.describe();
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) throw new Error('not started yet');
        throw error;
      }
    },
    { timeout: 10_000, interval: 50 },
  );
  return {
    handle,
    result: () => handle.result(),
    progress: () => handle.query<PublicationProgress>('progress'),
  };
}

export async function contentEvents(h: PublishingHarness, contentId: string): Promise<ContentEvent[]> {
  const { events } = await loadAggregate(h.api.runtime, contentAggregate, contentStream(contentId));
  return events.map((loaded) => loaded.event);
}

export const eventsOfType = <Type extends ContentEvent['type']>(events: ContentEvent[], type: Type) =>
  events.filter((event): event is Extract<ContentEvent, { type: Type }> => event.type === type);

/** The content as the API shows it once the read models have caught up with `until`. */
export async function contentView(
  h: PublishingHarness,
  team: BrandTeam,
  contentId: string,
  until: (content: ContentView) => boolean = () => true,
): Promise<ContentView> {
  let view: ContentView | undefined;
  await vi.waitFor(
    async () => {
      view = fieldOf<ContentView>(
        await h.api.gql(CONTENT, { id: contentId }, team.editor.accessToken),
        'content',
      );
      expect(until(view)).toBe(true);
    },
    { timeout: 10_000, interval: 50 },
  );
  if (!view) throw new Error('unreachable');
  return view;
}
