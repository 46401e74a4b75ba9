import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { outboundPolicy, parseAllowEntry, STRICT_OUTBOUND_POLICY } from '../../src/net/outbound-policy.ts';
import { checkedLookup } from '../../src/net/outbound-post.ts';
import { resolvedRefusal, targetRefusal } from '../../src/net/target-check.ts';

const problemOf = (url: string, policy = STRICT_OUTBOUND_POLICY) => policy.urlRefusal(url)?.problem ?? null;

describe('the outbound policy', () => {
  it.each([
    'http://127.0.0.1/hook',
    'http://127.0.0.1:8080/hook',
    'http://169.254.169.254/latest/meta-data/',
    'http://10.0.0.5/',
    'http://192.168.1.1/',
    'http://100.64.0.1/',
    'http://0.0.0.0/',
    'http://[::1]/',
    'http://[::]/',
    'http://[fe80::1]/',
    'http://[fd00::1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://[::ffff:169.254.169.254]/',
    'http://2130706433/',
    'http://0x7f.1/',
    'http://0177.0.0.1/',
    'http://127.1/',
    'http://0/',
    'http://%31%32%37.0.0.1/',
    'http://localhost/',
    'http://LOCALHOST./',
    'http://hooks.localhost:3000/',
    'https://224.0.0.1/',
    'https://255.255.255.255/',
  ])('refuses %s by default', (url) => {
    expect(problemOf(url)).toBe('INTERNAL_ADDRESS');
  });

  it('refuses other schemes, credentials and what is not a URL', () => {
    expect(problemOf('ftp://hooks.example.org/in')).toBe('SCHEME');
    expect(problemOf('file:///etc/passwd')).toBe('SCHEME');
    expect(problemOf('gopher://hooks.example.org/')).toBe('SCHEME');
    expect(problemOf('javascript:alert(1)')).toBe('SCHEME');
    expect(problemOf('https://user:secret@hooks.example.org/in')).toBe('CREDENTIALS');
    expect(problemOf('https://user@hooks.example.org/in')).toBe('CREDENTIALS');
    expect(problemOf('not a url')).toBe('INVALID_URL');
  });

  it('lets public addresses and host names through (names are judged once resolved)', () => {
    expect(problemOf('https://hooks.example.org/in')).toBeNull();
    expect(problemOf('https://8.8.8.8/in')).toBeNull();
    expect(problemOf('http://[2606:4700:4700::1111]:8080/')).toBeNull();
    expect(problemOf('https://127.0.0.1.nip.io/')).toBeNull();
  });

  it('says what is wrong with the URL as given', () => {
    expect(STRICT_OUTBOUND_POLICY.urlRefusal('http://0x7f.1/')?.message).toBe(
      'the host 127.0.0.1 is a loopback address',
    );
    expect(STRICT_OUTBOUND_POLICY.urlRefusal('http://169.254.169.254/')?.message).toBe(
      'the host 169.254.169.254 is a link-local address',
    );
  });

  it('allows what the allow-list names: addresses, CIDRs and host names', () => {
    const policy = outboundPolicy(['127.0.0.1', '10.0.0.0/8', 'fd00::/8', 'Hooks.Internal.']);
    expect(problemOf('http://127.0.0.1:9000/', policy)).toBeNull();
    expect(problemOf('http://2130706433:9000/', policy)).toBeNull();
    expect(problemOf('http://[::ffff:127.0.0.1]/', policy)).toBeNull();
    expect(problemOf('http://10.20.30.40/', policy)).toBeNull();
    expect(problemOf('http://[fd12::1]/', policy)).toBeNull();
    expect(problemOf('http://127.0.0.2/', policy)).toBe('INTERNAL_ADDRESS');
    expect(problemOf('http://169.254.169.254/', policy)).toBe('INTERNAL_ADDRESS');
    // localhost is 127.0.0.1 and ::1: only 127.0.0.1 is listed.
    expect(problemOf('http://localhost/', policy)).toBe('INTERNAL_ADDRESS');
    expect(problemOf('http://localhost/', outboundPolicy(['localhost']))).toBeNull();
    expect(problemOf('http://localhost/', outboundPolicy(['127.0.0.0/8', '::1']))).toBeNull();
    expect(policy.allowsAddress('hooks.internal', '10.1.1.1')).toBe(true);
    expect(policy.allowsAddress('HOOKS.internal.', '192.168.7.7')).toBe(true);
    expect(policy.allowsAddress('other.internal', '192.168.7.7')).toBe(false);
    expect(policy.allowsAddress('other.internal', '93.184.215.14')).toBe(true);
    // Credentials and schemes are refused whatever the allow-list says.
    expect(problemOf('http://user:pw@127.0.0.1/', policy)).toBe('CREDENTIALS');
    expect(problemOf('ftp://127.0.0.1/', policy)).toBe('SCHEME');
  });

  it('parses allow-list entries and nothing else', () => {
    expect(parseAllowEntry('10.0.0.0/8')).toMatchObject({ cidr: { family: 4, prefix: 8 } });
    expect(parseAllowEntry('::1')).toMatchObject({ cidr: { family: 6, prefix: 128 } });
    expect(parseAllowEntry('hooks.internal')).toEqual({ host: 'hooks.internal' });
    expect(parseAllowEntry('10.0.0.0/40')).toBeNull();
    expect(parseAllowEntry('http://hooks.internal')).toBeNull();
    expect(parseAllowEntry('hooks internal')).toBeNull();
  });
});

describe('OUTBOUND_ALLOW_INTERNAL', () => {
  it('is empty by default and takes a comma-separated list', () => {
    expect(loadConfig({}).OUTBOUND_ALLOW_INTERNAL).toEqual([]);
    expect(
      loadConfig({ OUTBOUND_ALLOW_INTERNAL: ' 10.0.0.0/8, hooks.internal ,::1,' }).OUTBOUND_ALLOW_INTERNAL,
    ).toEqual(['10.0.0.0/8', 'hooks.internal', '::1']);
    expect(() => loadConfig({ OUTBOUND_ALLOW_INTERNAL: '10.0.0.0/99' })).toThrow(/OUTBOUND_ALLOW_INTERNAL/);
    expect(() => loadConfig({ OUTBOUND_ALLOW_INTERNAL: 'https://hooks.internal' })).toThrow(
      /OUTBOUND_ALLOW_INTERNAL/,
    );
  });

  it('holds AUDIT_PUBLISH_WEBHOOK_URL to it at start-up', () => {
    expect(() => loadConfig({ AUDIT_PUBLISH_WEBHOOK_URL: 'http://169.254.169.254/roots' })).toThrow(
      /AUDIT_PUBLISH_WEBHOOK_URL is refused: the host 169.254.169.254 is a link-local address/,
    );
    expect(() => loadConfig({ AUDIT_PUBLISH_WEBHOOK_URL: 'https://u:p@audit.example.org/roots' })).toThrow(
      /AUDIT_PUBLISH_WEBHOOK_URL/,
    );
    const allowed = loadConfig({
      AUDIT_PUBLISH_WEBHOOK_URL: 'http://10.1.2.3/roots',
      OUTBOUND_ALLOW_INTERNAL: '10.0.0.0/8',
    });
    expect(allowed.AUDIT_PUBLISH_WEBHOOK_URL).toBe('http://10.1.2.3/roots');
    expect(
      loadConfig({ AUDIT_PUBLISH_WEBHOOK_URL: 'https://audit.example.org/roots' }).AUDIT_PUBLISH_WEBHOOK_URL,
    ).toBe('https://audit.example.org/roots');
  });
});

describe('resolving a target', () => {
  it('refuses a host name that resolves to an internal address, without naming the address', async () => {
    // localhost resolves to loopback everywhere (RFC 6761), through the system resolver.
    const refusal = await resolvedRefusal('localhost', STRICT_OUTBOUND_POLICY);
    expect(refusal).toEqual({
      problem: 'INTERNAL_ADDRESS',
      message: 'the host localhost resolves to an internal address',
    });
    expect(await resolvedRefusal('localhost', outboundPolicy(['localhost']))).toBeNull();
  });

  it('lets a name that does not resolve through (delivery resolves and checks it again)', async () => {
    expect(await targetRefusal('https://hooks.chronicle.invalid/in', STRICT_OUTBOUND_POLICY)).toBeNull();
  });

  it('checks the literal URL before resolving anything', async () => {
    expect(await targetRefusal('http://169.254.169.254/', STRICT_OUTBOUND_POLICY)).toMatchObject({
      problem: 'INTERNAL_ADDRESS',
    });
  });

  it('gives a socket only addresses it checked', async () => {
    const lookupOf = (policy = STRICT_OUTBOUND_POLICY) => {
      let refused = false;
      const lookup = checkedLookup(policy, () => {
        refused = true;
      });
      const result = new Promise<{ error: Error | null; address: unknown }>((resolve) => {
        lookup('localhost', { all: true }, (error, address) => resolve({ error, address }));
      });
      return { result, refused: () => refused };
    };
    const strict = lookupOf();
    const refused = await strict.result;
    expect(refused.error?.message).toBe('the target resolves to an address that is not allowed');
    expect(strict.refused()).toBe(true);

    const allowed = lookupOf(outboundPolicy(['127.0.0.0/8', '::1']));
    const answer = await allowed.result;
    expect(answer.error).toBeNull();
    expect(answer.address).toEqual(
      expect.arrayContaining([expect.objectContaining({ address: expect.any(String) })]),
    );
    expect(allowed.refused()).toBe(false);
  });
});
