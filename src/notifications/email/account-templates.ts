/** The account e-mails (not notifications: no preferences, no unsubscribe link; they are asked for). */
export type AccountEmailKind = 'email_verification' | 'password_reset';

export interface AccountEmailInput {
  kind: AccountEmailKind;
  /** The link with its token (PUBLIC_URL + the app's page). */
  link: string;
  /** Null once forgotten or never given: the greeting then names nobody. */
  recipientName: string | null;
  /** When the link stops working (ISO). */
  expiresAt: string;
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

const escapeHtml = (text: string) =>
  text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');

interface Template {
  subject: string;
  /** Paragraphs before the link; `{validFor}` reads "24 hours" or "30 minutes". */
  lead: string;
  action: string;
  validFor: string;
  /** What to do if you did not ask for this. */
  ifNotYou: string;
}

const TEMPLATES: Record<AccountEmailKind, Template> = {
  email_verification: {
    subject: 'Confirm your e-mail address for Chronicle',
    lead: 'Please confirm that this is your e-mail address, so that we can reach you about your account.',
    action: 'Confirm my address',
    validFor: '24 hours',
    ifNotYou:
      'If you did not create a Chronicle account, ignore this e-mail: nothing happens without the link.',
  },
  password_reset: {
    subject: 'Reset your Chronicle password',
    lead: 'Someone (hopefully you) asked to reset the password of your Chronicle account. Choosing a new password signs out every device.',
    action: 'Choose a new password',
    validFor: '30 minutes',
    ifNotYou:
      'If you did not ask for this, ignore this e-mail: your password stays as it is, and the link works only once.',
  },
};

/** Plain text and HTML (every value escaped), one template per kind. */
export function renderAccountEmail(input: AccountEmailInput): RenderedEmail {
  const template = TEMPLATES[input.kind];
  const greeting = input.recipientName ? `Hello ${input.recipientName},` : 'Hello,';
  const validity = `The link works for ${template.validFor} (until ${input.expiresAt}) and only once.`;
  const text = [
    greeting,
    '',
    template.lead,
    '',
    `${template.action}: ${input.link}`,
    '',
    validity,
    '',
    template.ifNotYou,
    '',
    '— Chronicle',
    '',
  ].join('\n');
  const html = `<!doctype html>
<html><body style="font-family: sans-serif; line-height: 1.5">
<p>${escapeHtml(greeting)}</p>
<p>${escapeHtml(template.lead)}</p>
<p><a href="${escapeHtml(input.link)}">${escapeHtml(template.action)}</a></p>
<p style="color: #555">${escapeHtml(validity)}<br>If the button does not work, copy this address into your browser: ${escapeHtml(input.link)}</p>
<p style="color: #555">${escapeHtml(template.ifNotYou)}</p>
<p>— Chronicle</p>
</body></html>
`;
  return { subject: template.subject, text, html };
}

/** The app's pages the links open; they call verifyEmail / resetPassword with the token. */
export function accountEmailLink(publicUrl: string, kind: AccountEmailKind, token: string): string {
  const page = kind === 'email_verification' ? 'verify-email' : 'reset-password';
  return `${publicUrl.replace(/\/+$/, '')}/${page}?token=${encodeURIComponent(token)}`;
}
