import { describe, expect, it } from 'vitest';
import {
  cidrContains,
  internalRange,
  isInternalAddress,
  parseCidr,
  parseIpAddress,
} from '../../src/net/internal-address.ts';

describe('internal addresses', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['::1', 'loopback'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['0.1.2.3', 'reserved'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['fc00::1', 'private'],
    ['fd12:3456:789a::1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['169.254.0.1', 'link-local'],
    ['fe80::1', 'link-local'],
    ['febf::1', 'link-local'],
    ['100.64.0.1', 'carrier-nat'],
    ['100.127.255.255', 'carrier-nat'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['192.0.2.10', 'reserved'],
    ['198.18.0.1', 'reserved'],
    ['2001:db8::1', 'reserved'],
    ['100::1', 'reserved'],
    ['::7f00:1', 'reserved'],
    ['4000::1', 'reserved'],
  ])('%s is %s', (address, kind) => {
    expect(internalRange(address)?.kind).toBe(kind);
    expect(isInternalAddress(address)).toBe(true);
  });

  it.each([
    ['8.8.8.8'],
    ['1.1.1.1'],
    ['93.184.215.14'],
    ['172.32.0.1'],
    ['172.15.255.255'],
    ['100.128.0.1'],
    ['169.255.0.1'],
    ['2606:4700:4700::1111'],
    ['2a00:1450:4009:81f::200e'],
  ])('%s is public', (address) => {
    expect(internalRange(address)).toBeNull();
    expect(isInternalAddress(address)).toBe(false);
  });

  it.each([
    // What inet_aton and the URL standard read as 127.0.0.1.
    ['2130706433', 'loopback'],
    ['0x7f000001', 'loopback'],
    ['0x7f.1', 'loopback'],
    ['0177.0.0.1', 'loopback'],
    ['127.1', 'loopback'],
    ['127.0.1', 'loopback'],
    ['0x7F.0.0.0x1', 'loopback'],
    ['127.0.0.1.', 'loopback'],
    // 169.254.169.254 spelt as one number, in hex and in octal.
    ['2852039166', 'link-local'],
    ['0xa9fea9fe', 'link-local'],
    ['0251.0376.0251.0376', 'link-local'],
    ['0', 'unspecified'],
    ['10.1', 'private'],
  ])('reads the IPv4 spelling %s as %s', (spelling, kind) => {
    expect(internalRange(spelling)?.kind).toBe(kind);
  });

  it.each([
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['0:0:0:0:0:ffff:7f00:1', 'loopback'],
    ['[::ffff:169.254.169.254]', 'link-local'],
    ['::ffff:a9fe:a9fe', 'link-local'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:0:127.0.0.1', 'loopback'],
    ['64:ff9b::127.0.0.1', 'loopback'],
    ['64:ff9b::a9fe:a9fe', 'link-local'],
    ['2002:7f00:1::', 'loopback'],
    ['2002:c0a8:101::1', 'private'],
    ['fe80::1%eth0', 'link-local'],
    ['[::1]', 'loopback'],
  ])('judges the IPv6 address %s by where it leads: %s', (address, kind) => {
    expect(internalRange(address)?.kind).toBe(kind);
  });

  it('judges IPv6 that carries a public IPv4 address as public', () => {
    expect(internalRange('::ffff:8.8.8.8')).toBeNull();
    expect(internalRange('64:ff9b::808:808')).toBeNull();
    expect(internalRange('2002:808:808::1')).toBeNull();
  });

  it('parses only what is an address', () => {
    expect(parseIpAddress('example.org')).toBeNull();
    expect(parseIpAddress('127.0.0.1.nip.io')).toBeNull();
    expect(parseIpAddress('1.2.3.4.5')).toBeNull();
    expect(parseIpAddress('256.1.1.1')).toBeNull();
    expect(parseIpAddress('4294967296')).toBeNull();
    expect(parseIpAddress('08.0.0.1')).toBeNull();
    expect(parseIpAddress('1::2::3')).toBeNull();
    expect(parseIpAddress('1.2.3.4::')).toBeNull();
    expect(parseIpAddress('12345::')).toBeNull();
    expect(parseIpAddress('4294967295')).toEqual({ family: 4, bytes: [255, 255, 255, 255] });
    expect(parseIpAddress('::ffff:1.2.3.4')?.bytes).toEqual([
      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 1, 2, 3, 4,
    ]);
    // Not an address at all is nothing to connect to: never judged public.
    expect(isInternalAddress('example.org')).toBe(true);
  });

  it('matches CIDRs, an IPv4 one also against IPv4-mapped IPv6', () => {
    const loopback = parseCidr('127.0.0.0/8');
    const uniqueLocal = parseCidr('fd00::/8');
    const single = parseCidr('10.1.2.3');
    if (!loopback || !uniqueLocal || !single) throw new Error('the CIDRs did not parse');
    const address = (text: string) => {
      const parsed = parseIpAddress(text);
      if (!parsed) throw new Error(`${text} did not parse`);
      return parsed;
    };
    expect(cidrContains(loopback, address('127.8.9.10'))).toBe(true);
    expect(cidrContains(loopback, address('::ffff:127.0.0.1'))).toBe(true);
    expect(cidrContains(loopback, address('128.0.0.1'))).toBe(false);
    expect(cidrContains(uniqueLocal, address('fd12::1'))).toBe(true);
    expect(cidrContains(uniqueLocal, address('fc00::1'))).toBe(false);
    expect(cidrContains(single, address('10.1.2.3'))).toBe(true);
    expect(cidrContains(single, address('10.1.2.4'))).toBe(false);
    expect(parseCidr('10.0.0.0/33')).toBeNull();
    expect(parseCidr('10.0.0.0/8/1')).toBeNull();
    expect(parseCidr('hooks.internal/8')).toBeNull();
  });
});
