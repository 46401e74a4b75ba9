import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { ZodError } from 'zod';
import { MIN_PASSWORD_LENGTH } from '../../auth/passwords.ts';
import { DomainError } from '../../domain/shared/domain-error.ts';
import type { Logger } from '../../logger.ts';
import { escapeHtml } from '../../notifications/email/templates.ts';
import type { SessionDeps } from '../../services/identity/context.ts';
import { resetPassword } from '../../services/identity/password-reset.ts';
import { verifyEmail } from '../../services/identity/verification.ts';
import type { RequestContext } from '../../services/shared/command-context.ts';
import { linkPage } from '../link-page.ts';

export interface RecoveryPagesOptions {
  identity: SessionDeps;
  log: Logger;
}

export const VERIFY_EMAIL_PATH = '/verify-email';
export const RESET_PASSWORD_PATH = '/reset-password';

/** Longest form body read: a token and a password, with room to spare. */
const FORM_BODY_LIMIT = 4_096;

/**
 * The pages the links in account e-mails open (PUBLIC_URL/verify-email and /reset-password), so a
 * link works with nothing but this API in front of it. Plain HTML, no script: `GET` only shows a
 * button or a form (mail scanners and link previews fetch links, and a fetch must not use up a
 * single-use link), `POST` does it through the same use cases as the GraphQL mutations and says
 * how it went. The token is the whole authorisation; a refused one changes nothing. An app that
 * serves these paths itself (or proxies them here) can call `verifyEmail` / `resetPassword` instead.
 */
export async function recoveryPageRoutes(app: FastifyInstance, options: RecoveryPagesOptions): Promise<void> {
  // Encapsulated (this plugin only): the form bodies of the two pages, as name → value.
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: FORM_BODY_LIMIT },
    (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(String(body)))),
  );

  app.get<{ Querystring: { token?: string } }>(VERIFY_EMAIL_PATH, async (request, reply) => {
    const token = tokenOf(request.query);
    if (!token) return invalidLink(reply);
    return linkPage(
      reply,
      200,
      'Verify your e-mail address',
      `<p>Confirm that this address is yours.</p>
<form method="post" action="?token=${escapeHtml(encodeURIComponent(token))}">
<button type="submit" style="padding:8px 16px">Verify my address</button>
</form>`,
    );
  });

  app.post<{ Querystring: { token?: string } }>(VERIFY_EMAIL_PATH, async (request, reply) => {
    const token = tokenOf(request.query);
    if (!token) return invalidLink(reply);
    try {
      await verifyEmail(options.identity, anonymousRequest(), { token });
    } catch (error) {
      return refused(reply, 'Address not verified', error, options.log);
    }
    return linkPage(reply, 200, 'Address verified', '<p>Thank you: your e-mail address is verified.</p>');
  });

  app.get<{ Querystring: { token?: string } }>(RESET_PASSWORD_PATH, async (request, reply) => {
    const token = tokenOf(request.query);
    if (!token) return invalidLink(reply);
    return resetForm(reply, 200, token);
  });

  app.post<{ Querystring: { token?: string }; Body: unknown }>(
    RESET_PASSWORD_PATH,
    async (request, reply) => {
      const token = tokenOf(request.query);
      if (!token) return invalidLink(reply);
      const newPassword = (request.body as { newPassword?: unknown } | null)?.newPassword;
      if (typeof newPassword !== 'string' || newPassword.length === 0) {
        return resetForm(reply, 400, token, 'Type a new password.');
      }
      try {
        await resetPassword(options.identity, anonymousRequest(), { token, newPassword });
      } catch (error) {
        // A password the rules refuse: the same form again, with why (the link is still good).
        if (error instanceof ZodError) {
          const issue = error.issues.find((each) => each.path[0] === 'newPassword');
          if (issue) return resetForm(reply, 400, token, `The new password ${issue.message}.`);
        }
        return refused(reply, 'Password not changed', error, options.log);
      }
      return linkPage(
        reply,
        200,
        'Password changed',
        '<p>Your password has been changed, and every session of your account has been signed out. Sign in again with the new password.</p>',
      );
    },
  );
}

/** Following a link from an e-mail: nobody is signed in. */
const anonymousRequest = (): RequestContext => ({
  actor: { kind: 'anonymous' },
  correlationId: randomUUID(),
});

function tokenOf(query: unknown): string | undefined {
  const token = (query as { token?: unknown } | undefined)?.token;
  return typeof token === 'string' && token.length > 0 && token.length <= 300 ? token : undefined;
}

function resetForm(reply: FastifyReply, status: number, token: string, problem?: string) {
  return linkPage(
    reply,
    status,
    'Choose a new password',
    `${problem ? `<p role="alert" style="color:#a00">${escapeHtml(problem)}</p>\n` : ''}<form method="post" action="?token=${escapeHtml(encodeURIComponent(token))}">
<label for="newPassword">New password (at least ${MIN_PASSWORD_LENGTH} characters)</label><br>
<input id="newPassword" name="newPassword" type="password" autocomplete="new-password" required minlength="${MIN_PASSWORD_LENGTH}" style="margin:8px 0;padding:6px;width:100%;max-width:320px"><br>
<button type="submit" style="padding:8px 16px">Set the new password</button>
</form>`,
  );
}

function invalidLink(reply: FastifyReply) {
  return linkPage(
    reply,
    400,
    'Link not valid',
    '<p>This link is not valid. Copy the whole link from the e-mail, or ask for a new one in the app.</p>',
  );
}

/**
 * A typed refusal (not a link this server made, used, expired, the account deactivated) is the
 * person's to read, with its code for support; anything else is ours, logged, and worth another try.
 */
function refused(reply: FastifyReply, title: string, error: unknown, log: Logger) {
  if (error instanceof DomainError) {
    return linkPage(
      reply,
      error.code === 'NOT_FOUND' ? 404 : error.code === 'CONFLICT' ? 409 : 400,
      title,
      `<p>${escapeHtml(error.message)}.</p>\n<p style="color:#555">(${escapeHtml(error.reason)})</p>`,
    );
  }
  if (error instanceof ZodError) return invalidLink(reply);
  log.error({ err: error }, 'account recovery page failed');
  return linkPage(
    reply,
    503,
    title,
    '<p>Something went wrong on our side. Please try again in a minute.</p>',
  );
}
