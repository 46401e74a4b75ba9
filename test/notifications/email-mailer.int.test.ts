import { randomUUID } from 'node:crypto';
import { createServer as createTcpServer } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { STRICT_OUTBOUND_POLICY } from '../../src/net/outbound-policy.ts';
import { createMailer, type Mailer, outcomeOfError } from '../../src/notifications/email/mailer.ts';
import { renderNotificationEmail, unsubscribeHeaders } from '../../src/notifications/email/templates.ts';
import { unsubscribeUrl } from '../../src/notifications/email/unsubscribe.ts';
import { mailpitMessages, waitForEmail } from '../support/mailpit.ts';
import { freePort } from '../support/ports.ts';

const mailpit = inject('mailpit');
const log = createLogger('silent');
const secret = new TextEncoder().encode('a test secret of at least thirty-two characters');
const from = 'Chronicle <no-reply@chronicle.test>';

const opened: { close(): void }[] = [];
afterEach(() => {
  for (const closable of opened.splice(0)) closable.close();
});

function mailer(smtpUrl: string, extra: Partial<Parameters<typeof createMailer>[0]> = {}): Mailer {
  const created = createMailer({ smtpUrl, from, log, ...extra });
  opened.push(created);
  return created;
}

describe.skipIf(!mailpit.smtpUrl)('the mailer against Mailpit', () => {
  it('delivers a notification e-mail with its text, escaped HTML, message id and unsubscribe headers', async () => {
    const to = `reader-${randomUUID()}@example.org`;
    const userId = randomUUID();
    const notificationId = randomUUID();
    const unsubscribe = unsubscribeUrl('https://chronicle.test', secret, userId, 'video_liked');
    const email = renderNotificationEmail({
      type: 'video_liked',
      title: 'Ada <script>alert(1)</script> liked your video',
      body: 'Your video "Tom & Jerry" has 3 new likes',
      path: `/videos/${randomUUID()}`,
      publicUrl: 'https://chronicle.test',
      unsubscribeUrl: unsubscribe,
      recipientName: 'Grace',
    });
    const outcome = await mailer(mailpit.smtpUrl).send({
      to,
      ...email,
      messageId: `<${notificationId}.email@chronicle>`,
      headers: unsubscribeHeaders(unsubscribe),
    });
    expect(outcome).toEqual({ outcome: 'sent' });

    const message = await waitForEmail(mailpit.apiUrl, to);
    expect(message.messageId).toBe(`${notificationId}.email@chronicle`);
    expect(message.from).toBe('no-reply@chronicle.test');
    expect(message.subject).toBe('Ada <script>alert(1)</script> liked your video');
    expect(message.text).toContain('Hello Grace,');
    expect(message.text).toContain('Your video "Tom & Jerry" has 3 new likes');
    expect(message.text).toContain(`Stop e-mails about likes: ${unsubscribe}`);
    expect(message.html).toContain('Ada &lt;script&gt;alert(1)&lt;/script&gt; liked your video');
    expect(message.html).not.toContain('<script>');
    expect(message.html).toContain('Tom &amp; Jerry');
    expect(message.html).toContain(`href="${unsubscribe}"`);
    expect(message.headers['List-Unsubscribe']).toEqual([`<${unsubscribe}>`]);
    expect(message.headers['List-Unsubscribe-Post']).toEqual(['List-Unsubscribe=One-Click']);
  });

  it('lets the caller resend under the same message id (one message per send, same id)', async () => {
    const to = `twice-${randomUUID()}@example.org`;
    const messageId = `<${randomUUID()}.email@chronicle>`;
    const send = () =>
      mailer(mailpit.smtpUrl).send({ to, subject: 'Same', text: 'same', html: '<p>same</p>', messageId });
    expect(await send()).toEqual({ outcome: 'sent' });
    expect(await send()).toEqual({ outcome: 'sent' });
    await waitForEmail(mailpit.apiUrl, to, () => true);
    const messages = await mailpitMessages(mailpit.apiUrl, { to });
    expect(new Set(messages.map((m) => m.messageId))).toEqual(new Set([messageId.slice(1, -1)]));
  });

  it('refuses an SMTP server the outbound policy refuses, without connecting', async () => {
    const to = `policy-${randomUUID()}@example.org`;
    const outcome = await mailer(mailpit.smtpUrl, { outbound: STRICT_OUTBOUND_POLICY }).send({
      to,
      subject: 'No',
      text: 'no',
      html: '<p>no</p>',
      messageId: `<${randomUUID()}.email@chronicle>`,
    });
    expect(outcome).toMatchObject({ outcome: 'permanent' });
    expect((outcome as { reason: string }).reason).toMatch(/internal address \(127\.0\.0\.1\)/);
    expect(await mailpitMessages(mailpit.apiUrl, { to })).toEqual([]);
  });
});

describe('SMTP refusals as outcomes (an smtp-server in this process)', () => {
  const servers: SMTPServer[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  });

  async function smtpServer(options: SMTPServerOptions): Promise<string> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      ...options,
    });
    servers.push(server);
    const port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    return `smtp://127.0.0.1:${port}`;
  }

  const refusal = (code: number, text: string) => Object.assign(new Error(text), { responseCode: code });
  const message = () => ({
    to: 'someone@example.org',
    subject: 'Hi',
    text: 'hi',
    html: '<p>hi</p>',
    messageId: `<${randomUUID()}.email@chronicle>`,
  });

  it('a 4xx at RCPT (greylisting) is transient', async () => {
    const url = await smtpServer({
      onRcptTo: (_address, _session, done) => done(refusal(450, 'Greylisted, try later')),
    });
    const outcome = await mailer(url).send(message());
    expect(outcome.outcome).toBe('transient');
    expect((outcome as { reason: string }).reason).toMatch(/450/);
  });

  it('a 5xx at RCPT (no such mailbox) is permanent', async () => {
    const url = await smtpServer({
      onRcptTo: (_address, _session, done) => done(refusal(550, 'No such user')),
    });
    const outcome = await mailer(url).send(message());
    expect(outcome.outcome).toBe('permanent');
    expect((outcome as { reason: string }).reason).toMatch(/550/);
  });

  it('a 4xx after DATA (out of storage) is transient and a 5xx after DATA (content refused) permanent', async () => {
    const answer = (code: number) =>
      smtpServer({
        onData: (stream, _session, done) => {
          stream.resume();
          stream.on('end', () => done(refusal(code, code < 500 ? 'Mailbox full' : 'Message rejected')));
        },
      });
    expect((await mailer(await answer(452)).send(message())).outcome).toBe('transient');
    expect((await mailer(await answer(554)).send(message())).outcome).toBe('permanent');
  });

  it('a refused connection and a server that never greets are transient', async () => {
    const closedPort = await freePort();
    const refused = await mailer(`smtp://127.0.0.1:${closedPort}`).send(message());
    expect(refused.outcome).toBe('transient');

    const silent = createTcpServer(() => {});
    const port = await freePort();
    await new Promise<void>((resolve) => silent.listen(port, '127.0.0.1', resolve));
    opened.push({ close: () => silent.close() });
    const mute = mailer(`smtp://127.0.0.1:${port}`, {
      // The greeting's own time-out (shorter than the socket's, as by default) says nothing was sent.
      timeoutMs: { greeting: 300, connection: 300, socket: 3_000 },
    });
    const outcome = await mute.send(message());
    expect(outcome.outcome).toBe('transient');
  });

  it('a server that takes the message after DATA and never answers is unknown: it may have it', async () => {
    const taken: string[] = [];
    const url = await smtpServer({
      onData: (stream, session) => {
        // Reads the whole message, then stalls: the reply to the message never comes.
        stream.resume();
        stream.on('end', () => taken.push(...session.envelope.rcptTo.map((r) => r.address)));
      },
    });
    const stalled = mailer(url, { timeoutMs: { greeting: 2_000, connection: 2_000, socket: 500 } });
    const outcome = await stalled.send(message());
    expect(outcome.outcome).toBe('unknown');
    expect((outcome as { reason: string }).reason).toMatch(/^SMTP session lost without an answer/);
    expect(taken).toEqual(['someone@example.org']);
  });

  it('maps what nodemailer tells: set-up failures transient, a lost session or an unexplained error unknown', () => {
    const failure = (fields: Record<string, unknown>) =>
      outcomeOfError(Object.assign(new Error('failed'), fields)).outcome;
    expect(failure({ code: 'ECONNECTION', originalCode: 'ECONNREFUSED' })).toBe('transient');
    expect(failure({ code: 'ESOCKET', originalCode: 'ENOTFOUND' })).toBe('transient');
    expect(failure({ code: 'EDNS' })).toBe('transient');
    expect(failure({ code: 'ETIMEDOUT', timeoutType: 'GREETING_TIMEOUT' })).toBe('transient');
    expect(failure({ code: 'ETIMEDOUT', timeoutType: 'SOCKET_TIMEOUT' })).toBe('unknown');
    expect(failure({ code: 'ECONNECTION' })).toBe('unknown');
    expect(failure({ code: 'ESOCKET', originalCode: 'ECONNRESET' })).toBe('unknown');
    expect(failure({})).toBe('unknown');
    expect(failure({ code: 'EMESSAGE' })).toBe('permanent');
    expect(failure({ code: 'EMESSAGE', responseCode: 451, response: '451 try later' })).toBe('transient');
  });

  it('a message the server accepts is sent', async () => {
    const received: string[] = [];
    const url = await smtpServer({
      onData: (stream, session, done) => {
        stream.resume();
        stream.on('end', () => {
          received.push(...session.envelope.rcptTo.map((r) => r.address));
          done();
        });
      },
    });
    expect(await mailer(url).send(message())).toEqual({ outcome: 'sent' });
    expect(received).toEqual(['someone@example.org']);
  });
});
