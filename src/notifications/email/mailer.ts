import { lookup } from 'node:dns/promises';
import nodemailer from 'nodemailer';
import type { Logger } from '../../logger.ts';
import type { OutboundPolicy } from '../../net/outbound-policy.ts';
import type { SendOutcome } from '../send-outcome.ts';

export interface MailerOptions {
  /** `smtp://` (STARTTLS when offered) or `smtps://` (TLS from the start), credentials in the URL. */
  smtpUrl: string;
  /** The From header, e.g. `Chronicle <no-reply@example.org>`. */
  from: string;
  /**
   * When given, the SMTP server's addresses are held to it before every send. SMTP_URL is the
   * operator's own relay (like S3_ENDPOINT), usually on an internal address, so the roles pass
   * none; a deployment that wants its relay kept off internal networks passes one.
   */
  outbound?: OutboundPolicy;
  log: Logger;
  /** Connection, greeting and socket time-outs (default 10 s, 10 s, 30 s). */
  timeoutMs?: { connection?: number; greeting?: number; socket?: number };
}

export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  /**
   * Message-ID chosen by the caller (`<notificationId.email@chronicle>`), so a resent message is
   * recognisably the same one (and collapsed by receivers that de-duplicate on it).
   */
  messageId: string;
  /** Extra headers, such as `unsubscribeHeaders(url)`. */
  headers?: Record<string, string>;
}

export interface Mailer {
  send(message: EmailMessage): Promise<SendOutcome>;
  /** Closes the pooled SMTP connections. */
  close(): void;
}

/**
 * Failures of nodemailer that happen before any of the message can have reached the server: it
 * could not resolve, connect, greet or start TLS. Another try may work and cannot duplicate.
 */
const BEFORE_SENDING = new Set(['EDNS', 'ETLS', 'ECONNREFUSED']);

/** System errors of a connection that never opened (nodemailer keeps them as `originalCode`). */
const NEVER_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** nodemailer's time-outs before the session could carry a message (connect, greeting, TLS). */
const SETUP_TIMEOUTS = new Set(['CONNECT_TIMEOUT', 'GREETING_TIMEOUT', 'UPGRADE_TIMEOUT']);

/**
 * SMTP through nodemailer, pooled (a few connections reused across sends). Every answer becomes a
 * SendOutcome: 2xx sent; 4xx (greylisting, mailbox busy, rate limits) and failures to connect
 * transient; 5xx (unknown mailbox, refused sender, rejected content) and malformed messages
 * permanent; a session lost without an answer (a time-out or a dropped connection once it was
 * open, any error nodemailer does not explain) unknown — the server may already hold the message.
 * Nothing throws: the delivery saga settles its row from the outcome alone.
 */
export function createMailer(options: MailerOptions): Mailer {
  const { smtpUrl, from, outbound, log } = options;
  const server = new URL(smtpUrl);
  const transport = nodemailer.createTransport({
    url: smtpUrl,
    pool: true,
    maxConnections: 4,
    connectionTimeout: options.timeoutMs?.connection ?? 10_000,
    greetingTimeout: options.timeoutMs?.greeting ?? 10_000,
    socketTimeout: options.timeoutMs?.socket ?? 30_000,
    // Never log message bodies or addresses (personal data) from inside nodemailer.
    logger: false,
  });
  return {
    async send(message) {
      if (outbound) {
        const refusal = await serverRefusal(outbound, server.hostname);
        if (refusal) return { outcome: 'permanent', reason: refusal };
      }
      try {
        const info = await transport.sendMail({
          from,
          to: message.to,
          subject: message.subject,
          text: message.text,
          html: message.html,
          messageId: message.messageId,
          ...(message.headers ? { headers: message.headers } : {}),
        });
        if (info.rejected.length > 0) {
          return { outcome: 'permanent', reason: `the SMTP server refused the recipient: ${info.response}` };
        }
        return { outcome: 'sent' };
      } catch (error) {
        const outcome = outcomeOfError(error);
        log.warn(
          { messageId: message.messageId, outcome: outcome.outcome, reason: outcome.reason },
          'e-mail not sent',
        );
        return outcome;
      }
    },
    close() {
      transport.close();
    },
  };
}

/**
 * nodemailer's error (with `responseCode` when the server answered) as a SendOutcome. An answer
 * is definite: 4xx transient, 5xx permanent, whatever the stage (a 4xx after DATA means the server
 * did not take the message). Without an answer only a failure to set the session up is known to
 * have sent nothing; a session lost afterwards — a time-out waiting for the reply to the message,
 * the connection closed or reset — may have delivered it, and so may an error nodemailer does not
 * explain: those are unknown, never retried. nodemailer does not say how far a lost session got,
 * so one lost before DATA is counted unknown too: at most once errs on the side of sending less.
 */
export function outcomeOfError(error: unknown): Exclude<SendOutcome, { outcome: 'sent' | 'gone' }> {
  const { responseCode, code, originalCode, timeoutType, response, message } = (error ?? {}) as {
    responseCode?: number;
    code?: string;
    originalCode?: string;
    timeoutType?: string;
    response?: string;
    message?: string;
  };
  const reason = truncate(response || message || String(error));
  if (typeof responseCode === 'number') {
    if (responseCode >= 400 && responseCode < 500) return { outcome: 'transient', reason: `SMTP ${reason}` };
    if (responseCode >= 500) return { outcome: 'permanent', reason: `SMTP ${reason}` };
  }
  // No server answer: the message itself could not be made or addressed.
  if (code === 'EENVELOPE' || code === 'EMESSAGE') return { outcome: 'permanent', reason };
  const neverConnected =
    (code !== undefined && BEFORE_SENDING.has(code)) ||
    (originalCode !== undefined && NEVER_CONNECTED.has(originalCode)) ||
    (timeoutType !== undefined && SETUP_TIMEOUTS.has(timeoutType));
  if (neverConnected) return { outcome: 'transient', reason: `SMTP connection: ${reason}` };
  return { outcome: 'unknown', reason: `SMTP session lost without an answer: ${reason}` };
}

async function serverRefusal(policy: OutboundPolicy, host: string): Promise<string | null> {
  const addresses = await lookup(host, { all: true }).catch(() => []);
  // An unresolvable host is a connection failure, reported as such by the send itself.
  const refused = addresses.find((entry) => !policy.allowsAddress(host, entry.address));
  return refused
    ? `the SMTP server ${host} is at an internal address (${refused.address}) the outbound policy refuses`
    : null;
}

function truncate(text: string): string {
  return text.length > 300 ? `${text.slice(0, 297)}...` : text;
}
