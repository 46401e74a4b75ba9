import type { FastifyInstance, FastifyReply } from 'fastify';
import { NOTIFICATION_TYPES, type NotificationType } from '../../domain/notifications/notification-types.ts';
import { DomainError } from '../../domain/shared/domain-error.ts';
import type { Logger } from '../../logger.ts';
import { escapeHtml, NOTIFICATION_EMAIL_TEMPLATES } from '../../notifications/email/templates.ts';
import { type UnsubscribeSubject, verifyUnsubscribeToken } from '../../notifications/email/unsubscribe.ts';
import { linkPage } from '../link-page.ts';

export interface UnsubscribeRouteOptions {
  authSecret: Uint8Array;
  /** Switches one person's e-mail for one type off (the preferences service's setEmailChannel). */
  disableEmail(userId: string, type: NotificationType): Promise<void>;
  log: Logger;
}

export const UNSUBSCRIBE_PATH = '/notifications/unsubscribe';

/**
 * The link at the foot of every notification e-mail. `GET` only shows a page with a button:
 * mail scanners and link previews fetch links, and a fetch must not unsubscribe anyone. `POST`
 * (the button, or a mail client's RFC 8058 one-click `List-Unsubscribe=One-Click`) switches the
 * e-mail channel of that type off. The token is the whole authorisation (no sign-in: the person
 * is reading an e-mail); a token that does not verify gets a 400 page and changes nothing.
 */
export async function unsubscribeRoutes(
  app: FastifyInstance,
  options: UnsubscribeRouteOptions,
): Promise<void> {
  // Form posts from the page and from mail clients. The body says nothing the token does not, so
  // it is read (small) and ignored.
  for (const type of ['application/x-www-form-urlencoded', 'multipart/form-data']) {
    app.addContentTypeParser(type, { parseAs: 'string', bodyLimit: 4_096 }, (_request, _body, done) =>
      done(null, null),
    );
  }

  app.get<{ Querystring: { token?: string } }>(UNSUBSCRIBE_PATH, async (request, reply) => {
    const token = tokenOf(request.query);
    const subject = token ? verifyUnsubscribeToken(options.authSecret, token) : null;
    if (!subject) return invalidLink(reply);
    if (NOTIFICATION_TYPES[subject.type].security) return securityNotice(reply);
    const about = NOTIFICATION_EMAIL_TEMPLATES[subject.type].about;
    return linkPage(
      reply,
      200,
      'Unsubscribe',
      `<p>Stop e-mails about ${escapeHtml(about)}?</p>
<p>You will still see them in the app. You can switch the e-mails back on in your notification settings.</p>
<form method="post" action="?token=${escapeHtml(encodeURIComponent(token ?? ''))}">
<input type="hidden" name="List-Unsubscribe" value="One-Click">
<button type="submit" style="padding:8px 16px">Stop these e-mails</button>
</form>`,
    );
  });

  app.post<{ Querystring: { token?: string } }>(UNSUBSCRIBE_PATH, async (request, reply) => {
    const token = tokenOf(request.query);
    const subject = token ? verifyUnsubscribeToken(options.authSecret, token) : null;
    if (!subject) return invalidLink(reply);
    if (NOTIFICATION_TYPES[subject.type].security) return securityNotice(reply);
    try {
      await options.disableEmail(subject.userId, subject.type);
    } catch (error) {
      return failed(reply, subject, error, options.log);
    }
    options.log.info({ userId: subject.userId, type: subject.type }, 'e-mail unsubscribed by link');
    return linkPage(
      reply,
      200,
      'Unsubscribed',
      `<p>You will no longer get e-mails about ${escapeHtml(NOTIFICATION_EMAIL_TEMPLATES[subject.type].about)}.</p>
<p>You can switch them back on in your notification settings.</p>`,
    );
  });
}

function tokenOf(query: unknown): string | undefined {
  const token = (query as { token?: unknown } | undefined)?.token;
  return typeof token === 'string' && token.length <= 300 ? token : undefined;
}

function invalidLink(reply: FastifyReply) {
  return linkPage(
    reply,
    400,
    'Link not valid',
    '<p>This unsubscribe link is not valid. Copy the whole link from the e-mail, or change your e-mail settings in the app.</p>',
  );
}

function securityNotice(reply: FastifyReply) {
  return linkPage(
    reply,
    400,
    'Security notices',
    '<p>E-mails about your account’s security (password resets, sign-ins from new devices) cannot be switched off.</p>',
  );
}

/**
 * A refusal from the preferences service (the account no longer exists, say) is the person's to
 * read; anything else is ours, logged, and worth another try.
 */
function failed(reply: FastifyReply, subject: UnsubscribeSubject, error: unknown, log: Logger) {
  if (error instanceof DomainError) {
    return linkPage(reply, 400, 'Not unsubscribed', `<p>${escapeHtml(error.message)}</p>`);
  }
  log.error({ err: error, userId: subject.userId, type: subject.type }, 'unsubscribe failed');
  return linkPage(
    reply,
    503,
    'Not unsubscribed',
    '<p>Something went wrong on our side. Please try again in a minute.</p>',
  );
}
