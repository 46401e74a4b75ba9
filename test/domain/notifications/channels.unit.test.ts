import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { effectiveChannels } from '../../../src/domain/notifications/channels.ts';
import {
  NOTIFICATION_TYPE_NAMES,
  NOTIFICATION_TYPES,
} from '../../../src/domain/notifications/notification-types.ts';
import {
  canonicalTimeZone,
  DEFAULT_NOTIFICATION_PREFERENCES,
} from '../../../src/domain/notifications/preferences-values.ts';

describe('effectiveChannels', () => {
  it('gives every type its defaults when there are no preferences', () => {
    for (const type of NOTIFICATION_TYPE_NAMES) {
      expect(effectiveChannels(type, null)).toEqual(NOTIFICATION_TYPES[type].defaults);
      expect(effectiveChannels(type, DEFAULT_NOTIFICATION_PREFERENCES)).toEqual(
        NOTIFICATION_TYPES[type].defaults,
      );
    }
  });

  it('lets an override win over the default, channel by channel, for that type only', () => {
    const prefs = { channels: { video_liked: { push: false, email: true } } };
    expect(effectiveChannels('video_liked', prefs)).toEqual({ in_app: true, push: false, email: true });
    expect(effectiveChannels('video_commented', prefs)).toEqual({ in_app: true, push: true, email: false });
  });

  it('ignores overrides of security types: they always go out on their defaults', () => {
    const prefs = { channels: { new_sign_in: { in_app: false, push: false, email: false } } };
    expect(effectiveChannels('new_sign_in', prefs)).toEqual({ in_app: true, push: true, email: true });
  });

  it('does not share the defaults object with its callers', () => {
    const result = effectiveChannels('media_ready', null);
    result.push = true;
    expect(effectiveChannels('media_ready', null).push).toBe(false);
  });
});

describe('canonicalTimeZone', () => {
  it('knows IANA names and spells them canonically', () => {
    expect(canonicalTimeZone('Europe/London')).toBe('Europe/London');
    expect(canonicalTimeZone('europe/london')).toBe('Europe/London');
    expect(canonicalTimeZone('UTC')).toBe('UTC');
  });

  it('refuses unknown names, offsets and junk', () => {
    expect(canonicalTimeZone('Mars/Olympus_Mons')).toBeNull();
    expect(canonicalTimeZone('+01:00')).toBeNull();
    expect(canonicalTimeZone('')).toBeNull();
    expect(canonicalTimeZone('Europe/London; drop table')).toBeNull();
  });
});

describe('the defaults table in docs/notifications.md', () => {
  it('says what NOTIFICATION_TYPES says, for every type', async () => {
    const doc = await readFile(new URL('../../../docs/notifications.md', import.meta.url), 'utf8');
    const rows = [
      ...doc.matchAll(
        /^\| `([A-Z_]+)` +\| (\w+) +\| (on|off) +\| (on|off) +\| (on|off) +\| (yes|no) +\| (yes|no) +\|$/gm,
      ),
    ];
    const documented = Object.fromEntries(
      rows.map(([, type, category, inApp, push, email, grouped, security]) => [
        String(type).toLowerCase(),
        {
          category,
          defaults: { in_app: inApp === 'on', push: push === 'on', email: email === 'on' },
          grouped: grouped === 'yes',
          security: security === 'yes',
        },
      ]),
    );
    expect(documented).toEqual(NOTIFICATION_TYPES);
  });
});
