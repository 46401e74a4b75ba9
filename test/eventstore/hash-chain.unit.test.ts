import { describe, expect, it } from 'vitest';
import { canonicalJson, chainLink, contentDigest, GENESIS_HASH } from '../../src/eventstore/hash-chain.ts';

describe('hash chain', () => {
  it('writes one canonical JSON text per value, whatever the key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [true, null], c: 'x' } })).toBe(
      '{"a":{"c":"x","d":[true,null]},"b":1}',
    );
    expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson({ b: 2, a: 1 }));
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
  });

  it('digests type, data and metadata', () => {
    const base = { type: 'Renamed', data: { name: 'x' }, metadata: { actor: 'user:1' } };
    const digest = contentDigest(base);
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(contentDigest({ ...base, type: 'Other' })).not.toBe(digest);
    expect(contentDigest({ ...base, data: { name: 'y' } })).not.toBe(digest);
    expect(contentDigest({ ...base, metadata: { actor: 'user:2' } })).not.toBe(digest);
  });

  it('links each event to its predecessor', () => {
    const digest = contentDigest({ type: 'A', data: {}, metadata: {} });
    const first = chainLink(GENESIS_HASH, digest);
    expect(first).not.toBe(chainLink(first, digest));
    // A fixed vector (SHA-256 of 64 zero bytes) keeps the definition from drifting.
    expect(chainLink(GENESIS_HASH, GENESIS_HASH)).toBe(
      'f5a5fd42d16a20302798ef6ed309979b43003d2320d9f0e8ea9831a92759fb4b',
    );
  });
});
