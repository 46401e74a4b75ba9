import { describe, expect, it } from 'vitest';
import { addressGroup } from '../../../src/api/subscriptions/socket-guard.ts';

describe('what the per-address socket cap counts', () => {
  it('counts an IPv4 address as itself, mapped or not', () => {
    expect(addressGroup('203.0.113.7')).toBe('203.0.113.7');
    expect(addressGroup('::ffff:203.0.113.7')).toBe('203.0.113.7');
  });

  it('counts every address of an IPv6 /64 as one, however it is written', () => {
    const group = addressGroup('2001:db8:1:2::1');
    expect(addressGroup('2001:db8:1:2:ffff:ffff:ffff:ffff')).toBe(group);
    expect(addressGroup('2001:0db8:0001:0002:0000:0000:0000:0042')).toBe(group);
    expect(addressGroup('2001:db8:1:3::1')).not.toBe(group);
  });
});
