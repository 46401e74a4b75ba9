import type { UserEventOf } from './user-events.ts';
import type { User } from './user-state.ts';

/** Devices a user has signed in from that the state remembers; older ones count as new again. */
export const MAX_KNOWN_DEVICES = 50;
export const MAX_DEVICE_LABEL_LENGTH = 100;

/** The device a sign-in came from, as the sign-in service worked it out (hash and label). */
export interface PresentedDevice {
  hash: string;
  label: string;
  /**
   * The hash the same request had before devices were identified by their id (user agent + id):
   * a device remembered under it is not new, so the change raised no notice for known devices.
   */
  formerHash?: string;
}

type SignInDevice = NonNullable<UserEventOf<'LoginSucceeded'>['data']['device']>;

/**
 * New means: the user has signed in from some device before, and never from this one. The very
 * first sign-in is not "new" (there is nothing to differ from), and neither is the first one after
 * device detection began for an account whose earlier sign-ins recorded no device: telling every
 * existing user about a "new" device on their next sign-in would teach them to ignore the notice.
 */
export function signInDevice(user: User, presented: PresentedDevice): SignInDevice {
  const known = user.knownDeviceHashes;
  return {
    hash: presented.hash,
    label: presented.label.slice(0, MAX_DEVICE_LABEL_LENGTH),
    newDevice:
      known.length > 0 &&
      !known.includes(presented.hash) &&
      !(presented.formerHash !== undefined && known.includes(presented.formerHash)),
  };
}

/** The known devices after a sign-in: this one last (most recent), at most MAX_KNOWN_DEVICES. */
export function rememberDevice(known: readonly string[], hash: string): readonly string[] {
  return [...known.filter((each) => each !== hash), hash].slice(-MAX_KNOWN_DEVICES);
}

const BROWSERS: readonly [RegExp, string][] = [
  [/\bEdg(?:e|A|iOS)?\//, 'Edge'],
  [/\bOPR\/|\bOpera\b/, 'Opera'],
  [/\bSamsungBrowser\//, 'Samsung Internet'],
  [/\bFirefox\/|\bFxiOS\//, 'Firefox'],
  [/\bChrome\/|\bCriOS\/|\bChromium\//, 'Chrome'],
  [/\bSafari\//, 'Safari'],
];

const SYSTEMS: readonly [RegExp, string][] = [
  [/\biPhone\b|\biPad\b|\biPod\b/, 'iOS'],
  [/\bAndroid\b/, 'Android'],
  [/\bCrOS\b/, 'ChromeOS'],
  [/\bWindows\b/, 'Windows'],
  [/\bMac OS X\b|\bMacintosh\b/, 'macOS'],
  [/\bLinux\b/, 'Linux'],
];

/**
 * A readable name for the security notice ("Firefox on Linux"). A guess from the user agent, which
 * the client controls: it helps the owner recognise a sign-in, it proves nothing.
 */
export function deviceLabel(userAgent: string | undefined): string {
  if (!userAgent?.trim()) return 'Unknown device';
  const browser = BROWSERS.find(([pattern]) => pattern.test(userAgent))?.[1];
  const system = SYSTEMS.find(([pattern]) => pattern.test(userAgent))?.[1];
  if (browser && system) return `${browser} on ${system}`;
  if (browser || system) return (browser ?? system) as string;
  // An app or script: its product token (`curl/8.5.0` → `curl`), short and without control text.
  const product = /^[A-Za-z][\w.-]{0,40}/.exec(userAgent.trim())?.[0];
  return product ?? 'Unknown device';
}
