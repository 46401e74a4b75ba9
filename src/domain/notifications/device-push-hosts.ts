/**
 * The push services a device's Web Push endpoint may point at. Without a list, an account could
 * register devices whose endpoints are any public https URL and have Chronicle POST signed,
 * encrypted requests there on every notification: a request amplifier aimed at third parties.
 * Browsers only ever hand out endpoints of their vendor's push service, so the list is short.
 */
export const DEFAULT_PUSH_HOSTS: readonly string[] = [
  // Chrome, Edge (Chromium), Opera, Samsung Internet, Brave: Firebase Cloud Messaging.
  'fcm.googleapis.com',
  // Firefox: Mozilla's autopush.
  'updates.push.services.mozilla.com',
  // Legacy Edge and Windows apps: the Windows Push Notification Services (regional hosts).
  '*.notify.windows.com',
  // Safari (macOS 13+, iOS 16.4+ home-screen web apps): Apple's web push service.
  'web.push.apple.com',
  '*.push.apple.com',
];

const HOST = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/;

/**
 * One entry of PUSH_ALLOWED_HOSTS: a host name (`fcm.googleapis.com`), `*.` and a domain (any host
 * under it, not the domain itself), or `*` (any public host: a deployment that runs its own push
 * service and accepts the risk). Null when it is none of these.
 */
export function parsePushHostEntry(entry: string): string | null {
  const value = entry.trim().toLowerCase().replace(/\.$/, '');
  if (value === '*') return value;
  const domain = value.startsWith('*.') ? value.slice(2) : value;
  return HOST.test(domain) ? value : null;
}

/** Whether `host` (a URL's host name) is one of the listed push services. */
export function isAllowedPushHost(host: string, entries: readonly string[]): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  return entries.some((entry) => {
    if (entry === '*') return true;
    if (entry.startsWith('*.')) return name.endsWith(entry.slice(1)) && name.length > entry.length - 1;
    return name === entry;
  });
}
