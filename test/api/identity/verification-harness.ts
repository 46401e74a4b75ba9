import { randomUUID } from 'node:crypto';
import { NativeConnection } from '@temporalio/worker';
import { expect, inject } from 'vitest';
import { createMailer, type Mailer } from '../../../src/notifications/email/mailer.ts';
import { createAccountEmailActivities } from '../../../src/workflows/account-emails/activities.ts';
import { accountEmailReactions } from '../../../src/workflows/account-emails/reactions.ts';
import {
  createProcessManager,
  type ProcessManager,
} from '../../../src/workflows/process-manager/process-manager.ts';
import { connectTemporalClient } from '../../../src/workflows/temporal-connection.ts';
import { installTemporalRuntime } from '../../../src/workflows/temporal-runtime.ts';
import {
  bundleWorkflows,
  createWorker,
  shutdownWorker,
  WORKFLOWS_PATH,
} from '../../../src/workflows/worker.ts';
import { type Message, waitForEmail } from '../../support/mailpit.ts';
import { testLog } from '../../workflows/fixtures/harness.ts';
import {
  type GraphQLResponse,
  type IdentityApp,
  startIdentityApp,
  TEST_AUTH_SECRET,
} from '../support/identity-app.ts';

export const mailpit = inject('mailpit');
export const PUBLIC_URL = 'https://chronicle.test';

export interface AccountEmailHarness {
  api: IdentityApp;
  /** A GraphQL request from this client address (X-Forwarded-For; the app trusts loopback) and user agent. */
  gqlFrom(
    client: { address?: string; userAgent?: string },
    query: string,
    variables?: Record<string, unknown>,
    token?: string,
  ): Promise<GraphQLResponse>;
  close(): Promise<void>;
}

/**
 * What `chronicle dev` runs for account e-mails, in this process, on a fresh database: the API
 * with its projector, a Temporal worker with Chronicle's workflow bundle and the account e-mail
 * activities (the real mailer, sending to the run's Mailpit), and the process manager with the
 * account e-mail reactions, on a task queue of its own.
 */
export async function startAccountEmailHarness(): Promise<AccountEmailHarness> {
  const log = testLog();
  installTemporalRuntime(log);
  const api = await startIdentityApp({ trustProxy: ['127.0.0.1'] });
  const address = inject('temporalAddress');
  const taskQueue = `test-account-emails-${randomUUID()}`;
  const [bundle, connection, temporal] = await Promise.all([
    bundleWorkflows(WORKFLOWS_PATH, log),
    NativeConnection.connect({ address }),
    connectTemporalClient(address),
  ]);
  const { store, codec, pool } = api.runtime;
  const mailer: Mailer = createMailer({
    smtpUrl: mailpit.smtpUrl,
    from: 'Chronicle <no-reply@chronicle.test>',
    log,
  });
  const worker = await createWorker({
    connection,
    taskQueue,
    workflows: { bundle },
    activities: createAccountEmailActivities({
      store,
      codec,
      log,
      pool,
      mailer,
      publicUrl: PUBLIC_URL,
      authSecret: new TextEncoder().encode(TEST_AUTH_SECRET),
    }),
    shutdownGraceMs: 200,
    shutdownForceMs: 2_000,
  });
  const running = worker.run();
  const processManager: ProcessManager = createProcessManager(
    { store, pool, codec, temporal: temporal.client, log },
    accountEmailReactions({ taskQueue }),
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
    async gqlFrom(client, query, variables = {}, token) {
      const response = await api.app.inject({
        method: 'POST',
        url: '/graphql',
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(client.address ? { 'x-forwarded-for': client.address } : {}),
          ...(client.userAgent ? { 'user-agent': client.userAgent } : {}),
        },
        payload: { query, variables },
      });
      return response.json<GraphQLResponse>();
    },
    async close() {
      await processManager.stop();
      await shutdownWorker(worker, running);
      mailer.close();
      await temporal.close().catch(() => undefined);
      await connection.close();
      await api.close();
    },
  };
}

/** The token in the e-mail's link (the text part), as a user's click would carry it to the app. */
export function tokenFromEmail(message: Message, page: 'verify-email' | 'reset-password'): string {
  const link = new RegExp(`${PUBLIC_URL}/${page}\\?token=([A-Za-z0-9_%-]+)`).exec(message.text)?.[1];
  expect(link, `a ${page} link in ${message.text}`).toBeDefined();
  // The HTML part carries the same link.
  expect(message.html).toContain(`${PUBLIC_URL}/${page}?token=${link}`);
  return decodeURIComponent(link as string);
}

export async function verificationEmailTo(to: string, after = 0): Promise<Message> {
  return waitForEmail(
    mailpit.apiUrl,
    to,
    (message) => message.subject.includes('Confirm') && Date.parse(message.created) >= after,
  );
}

export async function deliveryStates(
  api: IdentityApp,
  recipientId: string,
): Promise<{ kind: string; state: string; reason: string | null }[]> {
  const { rows } = await api.runtime.pool.query<{ kind: string; state: string; reason: string | null }>(
    `select kind, state, reason from notification_deliveries where recipient_id = $1 order by created_at`,
    [recipientId],
  );
  return rows;
}
