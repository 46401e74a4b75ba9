import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userStream } from '../../../src/domain/identity/streams.ts';
import { createMailer, type Mailer } from '../../../src/notifications/email/mailer.ts';
import { createAccountEmailActivities } from '../../../src/workflows/account-emails/activities.ts';
import type { SendAccountEmailInput } from '../../../src/workflows/account-emails/types.ts';
import { type IdentityApp, startIdentityApp, TEST_AUTH_SECRET } from '../../api/support/identity-app.ts';
import { registerUser } from '../../api/support/identity-operations.ts';
import { freePort } from '../../support/ports.ts';
import { testLog } from '../fixtures/harness.ts';

let api: IdentityApp;
let server: SMTPServer;
let mailer: Mailer;
/** Recipients whose whole message the stalling server read before going silent. */
const taken: string[] = [];

/**
 * An SMTP server that reads the message after DATA and never answers it: the account e-mail may
 * have arrived, so the activity settles its row 'unknown' and a retry sends nothing.
 */
describe('an account e-mail whose SMTP answer never comes', () => {
  beforeAll(async () => {
    api = await startIdentityApp();
    server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData: (stream, session) => {
        stream.resume();
        stream.on('end', () => taken.push(...session.envelope.rcptTo.map((r) => r.address)));
      },
    });
    const port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    mailer = createMailer({
      smtpUrl: `smtp://127.0.0.1:${port}`,
      from: 'Chronicle <no-reply@chronicle.test>',
      log: testLog(),
      timeoutMs: { connection: 2_000, greeting: 2_000, socket: 500 },
    });
  }, 60_000);
  afterAll(async () => {
    mailer?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await api?.close();
  });

  it('is settled unknown, and not sent again by a retry', async () => {
    const { id, email } = await registerUser(api);
    const event = (await api.runtime.store.readStream(userStream(id))).find(
      (each) => each.type === 'EmailVerificationRequested',
    );
    const data = event?.data as { requestId: string; expiresAt: string };
    const input: SendAccountEmailInput = {
      eventId: event?.id ?? '',
      kind: 'email_verification',
      userId: id,
      requestId: data.requestId,
      expiresAt: data.expiresAt,
    };
    const activities = createAccountEmailActivities({
      store: api.runtime.store,
      codec: api.runtime.codec,
      pool: api.runtime.pool,
      log: testLog(),
      mailer,
      publicUrl: 'https://chronicle.test',
      authSecret: new TextEncoder().encode(TEST_AUTH_SECRET),
    });

    const result = await activities.sendAccountEmail(input);
    expect(result).toMatchObject({ state: 'unknown' });
    expect((result as { reason: string }).reason).toMatch(/^SMTP session lost without an answer/);
    expect(taken).toEqual([email]);
    const { rows } = await api.runtime.pool.query(
      'select state, attempts, reason from notification_deliveries where notification_id = $1',
      [input.requestId],
    );
    expect(rows).toEqual([{ state: 'unknown', attempts: 1, reason: (result as { reason: string }).reason }]);

    expect(await activities.sendAccountEmail(input)).toEqual({
      state: 'already_settled',
      previous: 'unknown',
    });
    expect(taken).toEqual([email]);
  });
});
