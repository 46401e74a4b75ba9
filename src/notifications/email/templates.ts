import { NOTIFICATION_TYPES, type NotificationType } from '../../domain/notifications/notification-types.ts';

/**
 * The notification e-mails: one template per type (the table below), each in plain text and HTML.
 * Title, body and path come from describeNotification (the same words the inbox and push show);
 * a template adds what the e-mail alone needs: a button label, why the person got it and how to
 * stop it. Everything that came from people (names, titles) is escaped in the HTML; the plain
 * text needs no escaping, but a line break in a subject would start a header, so subjects are
 * one line.
 */
export interface NotificationEmailInput {
  type: NotificationType;
  title: string;
  body: string;
  /** App-relative link (`/videos/<id>`), joined to `publicUrl`. */
  path: string;
  publicUrl: string;
  /** The per-type unsubscribe link (unsubscribe.ts); security notices show none. */
  unsubscribeUrl: string;
  /** Null or empty greets without a name. */
  recipientName: string | null;
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

interface TypeTemplate {
  /** The button (HTML) and the line before the link (text). */
  action: string;
  /** Ends "You got this e-mail because …". */
  because: string;
  /** The unsubscribe link's words: "Stop e-mails about …". */
  about: string;
}

export const NOTIFICATION_EMAIL_TEMPLATES: Readonly<Record<NotificationType, TypeTemplate>> = {
  video_liked: { action: 'See your video', because: 'someone liked your video', about: 'likes' },
  video_commented: {
    action: 'Read the comment',
    because: 'someone commented on your video',
    about: 'comments on your videos',
  },
  comment_replied: {
    action: 'Read the reply',
    because: 'someone replied to your comment',
    about: 'replies to your comments',
  },
  mentioned: { action: 'See the mention', because: 'someone mentioned you', about: 'mentions' },
  new_follower: {
    action: 'See who it is',
    because: 'someone started following you',
    about: 'new followers',
  },
  followed_user_posted: {
    action: 'Watch it',
    because: 'someone you follow posted a video',
    about: 'posts by people you follow',
  },
  chat_message: {
    action: 'Open the conversation',
    because: 'you have new messages in a conversation',
    about: 'chat messages',
  },
  community_invited: {
    action: 'See the invitation',
    because: 'you were invited to a community',
    about: 'community invitations',
  },
  community_join_requested: {
    action: 'Review the request',
    because: 'someone asked to join a community you run',
    about: 'requests to join your communities',
  },
  community_post_helpful: {
    action: 'See your post',
    because: 'your post was marked helpful',
    about: 'posts marked helpful',
  },
  community_post_removed: {
    action: 'See the community',
    because: 'a moderator removed your post',
    about: 'removed posts',
  },
  checkpoint_graded: {
    action: 'See your grade',
    because: 'your checkpoint attempt was graded',
    about: 'graded checkpoints',
  },
  mentor_offered: {
    action: 'Answer the offer',
    because: 'a learner was offered to you as a mentee',
    about: 'mentorship offers',
  },
  match_made: { action: 'Meet your match', because: 'you were matched for mentorship', about: 'matches' },
  session_scheduled: {
    action: 'See the session',
    because: 'a mentorship session was scheduled',
    about: 'scheduled sessions',
  },
  session_cancelled: {
    action: 'See your sessions',
    because: 'a mentorship session was cancelled',
    about: 'cancelled sessions',
  },
  session_reminder: {
    action: 'Join the session',
    because: 'you have a mentorship session coming up',
    about: 'session reminders',
  },
  content_review_requested: {
    action: 'Review it',
    because: 'content is waiting for your approval',
    about: 'review requests',
  },
  content_approved: {
    action: 'See the content',
    because: 'your content was approved',
    about: 'approvals',
  },
  content_rejected: {
    action: 'See the feedback',
    because: 'your content was sent back',
    about: 'rejections',
  },
  content_published: {
    action: 'See where it went',
    because: 'your content was published',
    about: 'publications',
  },
  content_publish_failed: {
    action: 'See what failed',
    because: 'publishing your content failed',
    about: 'failed publications',
  },
  media_ready: { action: 'See your upload', because: 'your upload is ready', about: 'finished uploads' },
  media_failed: {
    action: 'See your upload',
    because: 'your upload could not be processed',
    about: 'failed uploads',
  },
  password_reset: {
    action: 'Review your account',
    because: 'the password of your account was reset; if it was not you, reset it again at once',
    about: 'password resets',
  },
  new_sign_in: {
    action: 'Review your sessions',
    because: 'your account was signed in to from a new device; if it was not you, reset your password',
    about: 'new sign-ins',
  },
  sync_conflict_queued: {
    action: 'Settle the conflict',
    because: 'an edit you made offline met a newer version',
    about: 'offline edits that need you',
  },
  sync_change_overruled: {
    action: 'See what changed',
    because: 'something you did offline could not be applied',
    about: 'offline changes not applied',
  },
  passkey_added: {
    action: 'Review your passkeys',
    because: 'a passkey was added to your account; if it was not you, remove it and reset your password',
    about: 'new passkeys',
  },
};

export function renderNotificationEmail(input: NotificationEmailInput): RenderedEmail {
  const template = NOTIFICATION_EMAIL_TEMPLATES[input.type];
  const security = NOTIFICATION_TYPES[input.type].security;
  const link = appLink(input.publicUrl, input.path);
  const greeting = greetingFor(input.recipientName);
  const subject = oneLine(input.title);
  const text = [
    greeting,
    '',
    oneLine(input.title),
    ...(input.body ? ['', input.body] : []),
    '',
    `${template.action}: ${link}`,
    '',
    '-- ',
    `You got this e-mail because ${template.because}.`,
    security
      ? 'Security notices cannot be switched off.'
      : `Stop e-mails about ${template.about}: ${input.unsubscribeUrl}`,
    '',
  ].join('\n');
  const html = layout(
    subject,
    [
      `<p>${escapeHtml(greeting)}</p>`,
      `<h1 style="font-size:20px;margin:16px 0">${escapeHtml(oneLine(input.title))}</h1>`,
      ...(input.body ? [`<p>${escapeHtml(input.body).replaceAll('\n', '<br>')}</p>`] : []),
      button(template.action, link),
    ].join('\n'),
    [
      `You got this e-mail because ${escapeHtml(template.because)}.`,
      security
        ? 'Security notices cannot be switched off.'
        : `<a href="${escapeHtml(input.unsubscribeUrl)}" style="color:#666">Stop e-mails about ${escapeHtml(template.about)}</a>`,
    ].join('<br>'),
  );
  return { subject, text, html };
}

/** RFC 2369 + RFC 8058 headers: mail clients show their own "Unsubscribe" and POST to it in one click. */
export function unsubscribeHeaders(url: string): Record<string, string> {
  return {
    'List-Unsubscribe': `<${url}>`,
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
  };
}

export interface DigestItem {
  type: NotificationType;
  title: string;
  body: string;
  path: string;
}

export interface DigestEmailInput {
  recipientName: string | null;
  publicUrl: string;
  /** The unread notifications since the last digest, newest first; the first DIGEST_MAX_ITEMS are listed. */
  items: readonly DigestItem[];
  /** How many unread ones there are in all (the rest are counted, not listed). */
  total: number;
  /** App-relative link to the notification settings, where the digest is switched off. */
  settingsPath?: string;
  /** Whole-digest unsubscribe link, when the caller has one (it then also goes in List-Unsubscribe). */
  unsubscribeUrl?: string;
}

export const DIGEST_MAX_ITEMS = 50;

/** The daily digest: every unread notification since the last one, as a list of links. */
export function renderDigestEmail(input: DigestEmailInput): RenderedEmail {
  const listed = input.items.slice(0, DIGEST_MAX_ITEMS);
  const more = Math.max(0, input.total - listed.length);
  const inbox = appLink(input.publicUrl, '/notifications');
  const settings = appLink(input.publicUrl, input.settingsPath ?? '/settings/notifications');
  const subject =
    input.total === 1 ? 'You have 1 unread notification' : `You have ${input.total} unread notifications`;
  const greeting = greetingFor(input.recipientName);
  const text = [
    greeting,
    '',
    `${subject}:`,
    '',
    ...listed.flatMap((item) => [
      `* ${oneLine(item.title)}`,
      ...(item.body ? [`  ${oneLine(item.body)}`] : []),
      `  ${appLink(input.publicUrl, item.path)}`,
    ]),
    ...(more > 0 ? ['', `…and ${more} more.`] : []),
    '',
    `All your notifications: ${inbox}`,
    '',
    '-- ',
    'You got this e-mail because you asked for a daily digest.',
    `Change or stop it: ${settings}`,
    ...(input.unsubscribeUrl ? [`Unsubscribe: ${input.unsubscribeUrl}`] : []),
    '',
  ].join('\n');
  const items = listed
    .map(
      (item) =>
        `<li style="margin:0 0 12px"><a href="${escapeHtml(appLink(input.publicUrl, item.path))}">${escapeHtml(oneLine(item.title))}</a>${
          item.body ? `<br><span style="color:#555">${escapeHtml(oneLine(item.body))}</span>` : ''
        }</li>`,
    )
    .join('\n');
  const html = layout(
    subject,
    [
      `<p>${escapeHtml(greeting)}</p>`,
      `<h1 style="font-size:20px;margin:16px 0">${escapeHtml(subject)}</h1>`,
      `<ul style="padding-left:20px">\n${items}\n</ul>`,
      ...(more > 0 ? [`<p>…and ${more} more.</p>`] : []),
      button('Open your notifications', inbox),
    ].join('\n'),
    [
      'You got this e-mail because you asked for a daily digest.',
      `<a href="${escapeHtml(settings)}" style="color:#666">Change or stop it</a>`,
      ...(input.unsubscribeUrl
        ? [`<a href="${escapeHtml(input.unsubscribeUrl)}" style="color:#666">Unsubscribe</a>`]
        : []),
    ].join('<br>'),
  );
  return { subject, text, html };
}

/** `&`, `<`, `>`, `"` and `'`: enough for text and double- or single-quoted attributes. */
export function escapeHtml(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/**
 * PUBLIC_URL joined with an app-relative path. A path that is not app-relative (`//evil.example`,
 * `https://…`, `javascript:`) is not followed: the link goes to the app's root instead, so a
 * notification's data can never turn an e-mail into a link elsewhere.
 */
export function appLink(publicUrl: string, path: string): string {
  const base = publicUrl.endsWith('/') ? publicUrl.slice(0, -1) : publicUrl;
  const safe = /^\/(?![/\\])[^\s]*$/.test(path) ? path : '/';
  return `${base}${safe}`;
}

function greetingFor(name: string | null): string {
  const trimmed = name ? oneLine(name).trim() : '';
  return trimmed ? `Hello ${trimmed},` : 'Hello,';
}

function oneLine(value: string): string {
  return value.replace(/[\r\n\t]+/g, ' ').trim();
}

function button(label: string, href: string): string {
  return `<p style="margin:24px 0"><a href="${escapeHtml(href)}" style="background:#1a56db;color:#fff;padding:10px 18px;border-radius:6px;text-decoration:none;display:inline-block">${escapeHtml(label)}</a></p>`;
}

/** Inline styles only: most mail clients drop <style> blocks and never load external sheets. */
function layout(title: string, content: string, footer: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(title)}</title></head>
<body style="margin:0;padding:24px;background:#f5f5f5;font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#111">
<div style="max-width:560px;margin:0 auto;background:#fff;padding:24px;border-radius:8px">
${content}
<p style="margin-top:32px;font-size:12px;color:#666">${footer}</p>
</div>
</body>
</html>
`;
}
