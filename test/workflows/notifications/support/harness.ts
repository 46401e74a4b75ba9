import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { NativeConnection, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { expect, inject, vi } from 'vitest';
import { definitionOf } from '../../../../src/commands/event-codec.ts';
import { userStream } from '../../../../src/domain/identity/streams.ts';
import { userEventCatalogue } from '../../../../src/domain/identity/user-events.ts';
import { deviceEventCatalogue } from '../../../../src/domain/notifications/device-events.ts';
import { notificationPreferencesEventCatalogue } from '../../../../src/domain/notifications/preferences-events.ts';
import type { NotificationPreferences } from '../../../../src/domain/notifications/preferences-values.ts';
import { deviceStream, notificationPreferencesStream } from '../../../../src/domain/notifications/streams.ts';
import type { DomainEvent } from '../../../../src/domain/shared/decider.ts';
import type { EventCatalogue } from '../../../../src/domain/shared/event-catalogue.ts';
import { followEventCatalogue } from '../../../../src/domain/social/follow-events.ts';
import type { Logger } from '../../../../src/logger.ts';
import { outboundPolicy } from '../../../../src/net/outbound-policy.ts';
import { createMailer, type Mailer } from '../../../../src/notifications/email/mailer.ts';
import { createPushSender } from '../../../../src/notifications/push/push-sender.ts';
import { generateVapidKeyPair, type VapidKeys } from '../../../../src/notifications/push/vapid-keys.ts';
import { followTieStream } from '../../../../src/services/social/follows-streams.ts';
import { createNotificationActivities } from '../../../../src/workflows/notifications/activities.ts';
import type { NotificationDeliveryDeps } from '../../../../src/workflows/notifications/deps.ts';
import { notificationReactions } from '../../../../src/workflows/notifications/reactions.ts';
import type { NotificationDeliverySettingsInput } from '../../../../src/workflows/notifications/settings.ts';
import {
  createProcessManager,
  type ProcessManager,
} from '../../../../src/workflows/process-manager/process-manager.ts';
import { connectTemporalClient } from '../../../../src/workflows/temporal-connection.ts';
import { installTemporalRuntime } from '../../../../src/workflows/temporal-runtime.ts';
import {
  bundleWorkflows,
  createWorker,
  shutdownWorker,
  WORKFLOWS_PATH,
} from '../../../../src/workflows/worker.ts';
import { type IdentityApp, startIdentityApp, TEST_AUTH_SECRET } from '../../../api/support/identity-app.ts';
import { registerUser } from '../../../api/support/identity-operations.ts';
import {
  type PushService,
  startPushService,
  type TestPushSubscription,
} from '../../../support/push-service.ts';
import { testLog } from '../../fixtures/harness.ts';

/** Backoff in milliseconds, not minutes, and a dead worker noticed in 2 s rather than 30. */
export const FAST_DELIVERY: NotificationDeliverySettingsInput = {
  maximumAttempts: 4,
  initialBackoffMs: 200,
  maximumBackoffMs: 1_000,
  projectionWaitMs: 15_000,
  heartbeatTimeoutMs: 2_000,
};

/** The push sender's timeout: the local service answers in milliseconds unless told to be slow. */
export const PUSH_TIMEOUT_MS = 3_000;

/** The push service listens on 127.0.0.1: the worker allows it, as OUTBOUND_ALLOW_INTERNAL would. */
export const LOOPBACK_ALLOWED = outboundPolicy(['127.0.0.1']);
export const AUTH_SECRET = new TextEncoder().encode(TEST_AUTH_SECRET);
export const PUBLIC_URL = 'https://chronicle.test';
export const EMAIL_FROM = 'Chronicle <no-reply@chronicle.test>';

export interface NotificationHarness {
  api: IdentityApp;
  log: Logger;
  client: Client;
  push: PushService;
  vapid: VapidKeys;
  /** The run's Mailpit; empty strings when it is not built (e-mail tests then skip). */
  mailpit: { smtpUrl: string; apiUrl: string };
  taskQueue: string;
  bundle: WorkflowBundleWithSourceMap;
  deps: NotificationDeliveryDeps;
  startWorker(): Promise<{ close(): Promise<void> }>;
  stopWorkers(): Promise<void>;
  close(): Promise<void>;
}

/**
 * What `chronicle dev` runs for notifications, in this process, on a fresh database: the API with
 * its projector (the notifications, preferences, devices and users read models), a Temporal worker
 * with Chronicle's workflow bundle and the notification activities (the real push sender against
 * the local push service, the real mailer against Mailpit), and the process manager with the
 * notification reactions, on a task queue of this file's own.
 */
export async function startNotificationHarness(
  options: {
    settings?: NotificationDeliverySettingsInput;
    /** Without the reactions nothing starts by itself: the test starts workflows (on another server). */
    reactions?: boolean;
  } = {},
): Promise<NotificationHarness> {
  const log = testLog();
  installTemporalRuntime(log);
  const api = await startIdentityApp({ outbound: LOOPBACK_ALLOWED });
  const address = inject('temporalAddress');
  const mailpit = inject('mailpit');
  const taskQueue = `test-notifications-${randomUUID()}`;
  const [bundle, connection, temporal, push] = await Promise.all([
    bundleWorkflows(WORKFLOWS_PATH, log),
    NativeConnection.connect({ address }),
    connectTemporalClient(address),
    startPushService(),
  ]);
  const vapid: VapidKeys = { ...generateVapidKeyPair(), subject: 'mailto:push@chronicle.test' };
  const mailer: Mailer | null = mailpit.smtpUrl
    ? createMailer({ smtpUrl: mailpit.smtpUrl, from: EMAIL_FROM, log })
    : null;
  const { store, codec, pool, bus } = api.runtime;
  const deps: NotificationDeliveryDeps = {
    store,
    codec,
    log,
    pool,
    bus,
    push: createPushSender({ vapid, outbound: LOOPBACK_ALLOWED, log, timeoutMs: PUSH_TIMEOUT_MS }),
    mailer,
    publicUrl: PUBLIC_URL,
    authSecret: AUTH_SECRET,
  };
  const workers = new Set<{ close(): Promise<void> }>();
  const startWorker = async () => {
    const worker = await createWorker({
      connection,
      taskQueue,
      workflows: { bundle },
      activities: createNotificationActivities(deps),
      shutdownGraceMs: 200,
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
  if (options.reactions !== false) await startWorker();
  const processManager: ProcessManager | null =
    options.reactions === false
      ? null
      : createProcessManager(
          { store, pool, codec, temporal: temporal.client, log },
          notificationReactions({ taskQueue, settings: { ...FAST_DELIVERY, ...options.settings } }),
          {
            name: `pm-${randomUUID()}`,
            backoffMs: 50,
            maxBackoffMs: 500,
            callTimeoutMs: 2_000,
            standbyRetryMs: 100,
          },
        );
  await processManager?.start();
  return {
    api,
    log,
    client: temporal.client,
    push,
    vapid,
    mailpit,
    taskQueue,
    bundle,
    deps,
    startWorker,
    async stopWorkers() {
      await Promise.all([...workers].map((each) => each.close()));
    },
    async close() {
      await processManager?.stop();
      await Promise.all([...workers].map((each) => each.close()));
      await temporal.close().catch(() => undefined);
      await connection.close();
      mailer?.close();
      await push.stop();
      await api.close();
    },
  };
}

/** Appends one event as a process would (the projections and reactions see it like any other). */
export async function append<Event extends DomainEvent>(
  h: Pick<NotificationHarness, 'api'>,
  stream: string,
  catalogue: EventCatalogue<Event>,
  event: Event,
): Promise<{ id: string; position: bigint }> {
  const { store, codec } = h.api.runtime;
  const definition = definitionOf(catalogue, event.type);
  if (!definition) throw new Error(`no definition for ${event.type}`);
  const commandId = randomUUID();
  const id = randomUUID();
  const encoded = await codec.encode(
    definition,
    event,
    {
      commandId,
      correlationId: commandId,
      causationId: commandId,
      actor: 'system:test',
      occurredAt: new Date().toISOString(),
    },
    id,
  );
  const { position } = await store.append(stream, [encoded]);
  return { id, position };
}

export interface Person {
  id: string;
  email: string;
  name: string;
}

/** A registered person with a verified address (unique per call, so Mailpit tells tests apart). */
export async function person(h: Pick<NotificationHarness, 'api'>, name: string): Promise<Person> {
  const email = `${name.toLowerCase()}-${randomUUID()}@example.org`;
  const { id } = await registerUser(h.api, email, name);
  await append(h, userStream(id), userEventCatalogue, {
    type: 'UserEmailVerified',
    data: { userId: id, requestId: randomUUID(), at: new Date().toISOString() },
  });
  return { id, email, name };
}

/** A device of `userId` subscribed at the local push service with the harness's VAPID key. */
export async function subscribedDevice(
  h: Pick<NotificationHarness, 'api' | 'push' | 'vapid'>,
  userId: string,
  options: Parameters<PushService['createPushSubscription']>[0] = {},
): Promise<{ deviceId: string; subscription: TestPushSubscription }> {
  const subscription = h.push.createPushSubscription({ applicationServerKey: h.vapid.publicKey, ...options });
  const deviceId = randomUUID();
  await append(h, deviceStream(deviceId), deviceEventCatalogue, {
    type: 'DeviceRegistered',
    data: {
      deviceId,
      userId,
      platform: 'web',
      appVersion: '1.0.0',
      pushEndpoint: subscription.endpoint,
      pushP256dh: subscription.p256dh,
      pushAuth: subscription.auth,
    },
  });
  return { deviceId, subscription };
}

export async function setPreferences(
  h: Pick<NotificationHarness, 'api'>,
  userId: string,
  prefs: Partial<NotificationPreferences>,
): Promise<{ id: string; position: bigint }> {
  return append(h, notificationPreferencesStream(userId), notificationPreferencesEventCatalogue, {
    type: 'NotificationPreferencesChanged',
    data: { userId, timeZone: 'UTC', quietHours: null, emailDigest: false, channels: {}, ...prefs },
  });
}

/** `followerId` follows `followeeId`: the source event of a new_follower notification. */
export function follow(h: Pick<NotificationHarness, 'api'>, followerId: string, followeeId: string) {
  return append(h, followTieStream(followerId, followeeId), followEventCatalogue, {
    type: 'UserFollowed',
    data: { followerId, followeeId },
  });
}

export interface DeliveryRow {
  channel: string;
  target: string;
  state: string;
  attempts: number;
  reason: string | null;
  due_at: Date;
}

/** The deliveries of one notification, push rows first. */
export async function deliveriesOf(
  h: Pick<NotificationHarness, 'api'>,
  notificationId: string,
): Promise<DeliveryRow[]> {
  const { rows } = await h.api.runtime.pool.query<DeliveryRow>(
    `select channel, target, state, attempts, reason, due_at from notification_deliveries
      where notification_id = $1 order by channel desc, target`,
    [notificationId],
  );
  return rows;
}

/** Waits until every delivery of the notification is settled (none pending or sending). */
export async function settled(
  h: Pick<NotificationHarness, 'api'>,
  notificationId: string,
  count: number,
  timeout = 30_000,
): Promise<DeliveryRow[]> {
  return vi.waitFor(
    async () => {
      const rows = await deliveriesOf(h, notificationId);
      expect(rows).toHaveLength(count);
      expect(rows.filter((row) => row.state === 'pending' || row.state === 'sending')).toEqual([]);
      return rows;
    },
    { timeout, interval: 100 },
  );
}

/** Waits for the delivery saga of a source event to be started by the process manager, then to finish. */
export async function sagaFinished(
  h: Pick<NotificationHarness, 'client'>,
  sourceEventId: string,
): Promise<void> {
  const handle = h.client.workflow.getHandle(`notify-${sourceEventId}`);
  await vi.waitFor(() => handle.describe(), { timeout: 15_000, interval: 100 });
  await handle.result();
}
