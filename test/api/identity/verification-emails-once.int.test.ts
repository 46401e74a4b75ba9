import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userStream } from '../../../src/domain/identity/streams.ts';
import { createMailer, type Mailer } from '../../../src/notifications/email/mailer.ts';
import {
  type AccountEmailDeps,
  createAccountEmailActivities,
} from '../../../src/workflows/account-emails/activities.ts';
import type { SendAccountEmailInput } from '../../../src/workflows/account-emails/types.ts';
import { mailpitMessages } from '../../support/mailpit.ts';
import { testLog } from '../../workflows/fixtures/harness.ts';
import { type IdentityApp, startIdentityApp, TEST_AUTH_SECRET } from '../support/identity-app.ts';
import { registerUser } from '../support/identity-operations.ts';
import { deliveryStates, mailpit, PUBLIC_URL } from './verification-harness.ts';

let api: IdentityApp;
let mailer: Mailer;

/** The activity alone (no Temporal): what a retried or re-run attempt does with the delivery row. */
describe.skipIf(!mailpit.smtpUrl)('account e-mails go out at most once per request', () => {
  beforeAll(async () => {
    api = await startIdentityApp();
    mailer = createMailer({
      smtpUrl: mailpit.smtpUrl,
      from: 'Chronicle <no-reply@chronicle.test>',
      log: testLog(),
    });
  });
  afterAll(async () => {
    mailer?.close();
    await api?.close();
  });

  const deps = (overrides: Partial<AccountEmailDeps> = {}): AccountEmailDeps => ({
    store: api.runtime.store,
    codec: api.runtime.codec,
    pool: api.runtime.pool,
    log: testLog(),
    mailer,
    publicUrl: PUBLIC_URL,
    authSecret: new TextEncoder().encode(TEST_AUTH_SECRET),
    ...overrides,
  });

  async function verificationRequest(userId: string): Promise<SendAccountEmailInput> {
    const event = (await api.runtime.store.readStream(userStream(userId))).find(
      (each) => each.type === 'EmailVerificationRequested',
    );
    const data = (event?.data ?? {}) as { requestId: string; expiresAt: string };
    return {
      eventId: event?.id ?? '',
      kind: 'email_verification',
      userId,
      requestId: data.requestId,
      expiresAt: data.expiresAt,
    };
  }

  it('a second run of the same request sends nothing', async () => {
    const { id, email } = await registerUser(api);
    const input = await verificationRequest(id);
    const activities = createAccountEmailActivities(deps());
    expect(await activities.sendAccountEmail(input)).toEqual({ state: 'sent' });
    expect(await activities.sendAccountEmail(input)).toEqual({ state: 'already_settled', previous: 'sent' });
    expect(await mailpitMessages(mailpit.apiUrl, { to: email })).toHaveLength(1);
  });

  it('a row left claimed by a worker that died mid-send is settled unknown, not sent again', async () => {
    const { id, email } = await registerUser(api);
    const input = await verificationRequest(id);
    await api.runtime.pool.query(
      `insert into notification_deliveries (notification_id, channel, target, recipient_id, kind, state, due_at, attempts)
       values ($1, 'email', '', $2, 'email_verification', 'sending', now(), 1)`,
      [input.requestId, id],
    );
    const result = await createAccountEmailActivities(deps()).sendAccountEmail(input);
    expect(result).toMatchObject({ state: 'unknown' });
    expect(await deliveryStates(api, id)).toEqual([
      { kind: 'email_verification', state: 'unknown', reason: expect.stringContaining('worker stopped') },
    ]);
    expect(await mailpitMessages(mailpit.apiUrl, { to: email })).toEqual([]);
  });

  it('without SMTP_URL the e-mail is settled skipped', async () => {
    const { id, email } = await registerUser(api);
    const result = await createAccountEmailActivities(deps({ mailer: null })).sendAccountEmail(
      await verificationRequest(id),
    );
    expect(result).toEqual({ state: 'skipped', reason: 'SMTP_URL unset' });
    expect(await mailpitMessages(mailpit.apiUrl, { to: email })).toEqual([]);
  });

  it('a link that expired before the e-mail went out is not sent', async () => {
    const { id, email } = await registerUser(api);
    const input = {
      ...(await verificationRequest(id)),
      expiresAt: new Date(Date.now() - 1_000).toISOString(),
    };
    const result = await createAccountEmailActivities(deps()).sendAccountEmail(input);
    expect(result).toEqual({ state: 'skipped', reason: 'the link expired before the e-mail went out' });
    expect(await mailpitMessages(mailpit.apiUrl, { to: email })).toEqual([]);
  });
});
