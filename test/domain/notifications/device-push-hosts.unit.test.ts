import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.ts';
import {
  DEFAULT_PUSH_HOSTS,
  isAllowedPushHost,
  parsePushHostEntry,
} from '../../../src/domain/notifications/device-push-hosts.ts';

describe('push service hosts', () => {
  it('reads host names, *.domain and *, lower-cased, and nothing else', () => {
    expect(parsePushHostEntry(' FCM.googleapis.com. ')).toBe('fcm.googleapis.com');
    expect(parsePushHostEntry('*.notify.windows.com')).toBe('*.notify.windows.com');
    expect(parsePushHostEntry('*')).toBe('*');
    for (const bad of [
      '',
      'localhost',
      '*.com.',
      'https://fcm.googleapis.com',
      'a..b',
      '*foo.com',
      'fcm.googleapis.com/x',
    ])
      expect(parsePushHostEntry(bad), bad).toBeNull();
    for (const entry of DEFAULT_PUSH_HOSTS) expect(parsePushHostEntry(entry)).toBe(entry);
  });

  it('matches a name exactly, a wildcard only below its domain, and * anything', () => {
    const list = ['fcm.googleapis.com', '*.notify.windows.com'];
    expect(isAllowedPushHost('fcm.googleapis.com', list)).toBe(true);
    expect(isAllowedPushHost('FCM.googleapis.com.', list)).toBe(true);
    expect(isAllowedPushHost('wns2-par02p.notify.windows.com', list)).toBe(true);
    expect(isAllowedPushHost('notify.windows.com', list)).toBe(false);
    expect(isAllowedPushHost('evilnotify.windows.com', list)).toBe(false);
    expect(isAllowedPushHost('fcm.googleapis.com.example.net', list)).toBe(false);
    expect(isAllowedPushHost('push.example.net', list)).toBe(false);
    expect(isAllowedPushHost('push.example.net', ['*'])).toBe(true);
    expect(isAllowedPushHost('push.example.net', [])).toBe(false);
  });

  it('is PUSH_ALLOWED_HOSTS: the browsers` services by default, a list when given, bad entries refused', () => {
    expect(loadConfig({}).PUSH_ALLOWED_HOSTS).toEqual(DEFAULT_PUSH_HOSTS);
    expect(
      loadConfig({ PUSH_ALLOWED_HOSTS: ' Push.Example.net, *.relay.example ,' }).PUSH_ALLOWED_HOSTS,
    ).toEqual(['push.example.net', '*.relay.example']);
    expect(() => loadConfig({ PUSH_ALLOWED_HOSTS: 'https://push.example.net' })).toThrow(
      /PUSH_ALLOWED_HOSTS/,
    );
  });
});
