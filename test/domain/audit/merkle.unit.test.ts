import { describe, expect, it } from 'vitest';
import {
  EMPTY_ROOT,
  eventLeafHash,
  inclusionProof,
  leafHash,
  MerkleAccumulator,
  merkleRoot,
  nodeHash,
  verifyInclusion,
} from '../../../src/domain/audit/merkle.ts';

// The Certificate Transparency reference data (RFC 6962): eight leaf inputs and the tree head
// of every prefix of them. Any RFC 6962 implementation produces these roots.
const INPUTS = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
].map((hex) => Buffer.from(hex, 'hex'));
const ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
// Audit paths from the same reference: [leaf index (0-based), tree size, path].
const PATHS: [number, number, string[]][] = [
  [
    0,
    8,
    [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  ],
  [
    5,
    8,
    [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
  [2, 3, ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125']],
  [
    1,
    5,
    [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  ],
];

const LEAVES = INPUTS.map(leafHash);
const hex = (buffer: Buffer) => buffer.toString('hex');

describe('Merkle tree (RFC 6962, SHA-256)', () => {
  it('gives the reference tree head for every size from 0 to 8', () => {
    expect(hex(EMPTY_ROOT)).toBe(ROOTS[0]);
    for (let size = 0; size <= 8; size++) {
      expect(hex(merkleRoot(LEAVES.slice(0, size))), `size ${size}`).toBe(ROOTS[size]);
    }
  });

  it('builds the same root one leaf at a time as from the whole list', () => {
    const leaves = Array.from({ length: 70 }, (_, i) => leafHash(Buffer.from([i, i >> 3])));
    const accumulator = new MerkleAccumulator();
    leaves.forEach((leaf, i) => {
      accumulator.add(leaf);
      expect(accumulator.size).toBe(i + 1);
      expect(hex(accumulator.root())).toBe(hex(merkleRoot(leaves.slice(0, i + 1))));
    });
  });

  it('carries an odd node up instead of pairing it with itself, so a duplicated last leaf changes the root', () => {
    const [a, b, c] = LEAVES.slice(1, 4);
    if (!a || !b || !c) throw new Error('reference leaves missing');
    expect(hex(merkleRoot([a, b, c]))).toBe(hex(nodeHash(nodeHash(a, b), c)));
    expect(hex(merkleRoot([a, b, c, c]))).not.toBe(hex(merkleRoot([a, b, c])));
  });

  it('keeps leaves and interior nodes apart: two leaves hashed as one node are not a leaf', () => {
    const [a, b] = LEAVES;
    if (!a || !b) throw new Error('reference leaves missing');
    const concatenated = leafHash(Buffer.concat([a, b]));
    expect(hex(concatenated)).not.toBe(hex(merkleRoot([a, b])));
  });

  it('produces and checks the reference audit paths', () => {
    for (const [index, size, path] of PATHS) {
      const leaves = LEAVES.slice(0, size);
      const proof = inclusionProof(leaves, index);
      expect(proof.map(hex), `leaf ${index} of ${size}`).toEqual(path);
      const leaf = leaves[index];
      if (!leaf) throw new Error('reference leaf missing');
      expect(verifyInclusion(leaf, index, size, proof, merkleRoot(leaves))).toBe(true);
    }
  });

  it('proves every leaf of every tree up to 40 leaves, and refuses a changed leaf, index or root', () => {
    for (let size = 1; size <= 40; size++) {
      const leaves = Array.from({ length: size }, (_, i) => leafHash(Buffer.from(`event ${i}`)));
      const root = merkleRoot(leaves);
      for (let index = 0; index < size; index++) {
        const leaf = leaves[index];
        if (!leaf) throw new Error('leaf missing');
        const proof = inclusionProof(leaves, index);
        expect(verifyInclusion(leaf, index, size, proof, root)).toBe(true);
        expect(verifyInclusion(leafHash(Buffer.from('forged')), index, size, proof, root)).toBe(false);
        expect(verifyInclusion(leaf, index, size, proof, EMPTY_ROOT)).toBe(false);
        if (size > 1) expect(verifyInclusion(leaf, (index + 1) % size, size, proof, root)).toBe(false);
      }
    }
  });

  it('derives an event leaf from its stream, revision, id and chain link, not from its position', () => {
    const event = {
      streamName: 'user-0b6f4a9e-1c1d-4a55-9f0e-8d2b1c3a4e5f',
      revision: 3n,
      id: '7d0e3c52-5b1a-4f0c-9a0e-2f4b6c8d1e3a',
      hash: 'ab'.repeat(32),
    };
    const expected = leafHash(
      Buffer.from(`["${event.streamName}","3","${event.id}","${event.hash}"]`, 'utf8'),
    );
    expect(hex(eventLeafHash(event))).toBe(hex(expected));
    expect(hex(eventLeafHash({ ...event, revision: 4n }))).not.toBe(hex(expected));
    expect(hex(eventLeafHash({ ...event, hash: 'cd'.repeat(32) }))).not.toBe(hex(expected));
  });
});
