import { createHash } from 'node:crypto';

/**
 * The Merkle tree of audit anchors: RFC 6962 (Certificate Transparency) §2.1, with SHA-256.
 *
 * - A leaf hash is SHA-256(0x00 ‖ leaf bytes); an interior node is SHA-256(0x01 ‖ left ‖ right).
 *   The two prefixes keep a leaf from ever passing for a node (second-preimage attacks).
 * - Odd-node rule: a tree of n > 1 leaves splits at k, the largest power of two below n; the
 *   left subtree is complete and the right one holds the rest. A node without a sibling is
 *   carried up unchanged, never paired with itself: duplicating it (Bitcoin's rule) would give
 *   the lists [a, b, c] and [a, b, c, c] the same root (CVE-2012-2459), so a duplicated event
 *   would go unnoticed.
 * - The empty tree's root is SHA-256 of nothing (anchors never cover zero events, but the
 *   function is total).
 *
 * Pure: no I/O, the same bytes always give the same root, so anyone holding the events can
 * recompute an anchor without our code (any RFC 6962 implementation agrees).
 */

export const MERKLE_ALGORITHM = 'sha256-merkle-v1';

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

export function leafHash(data: Uint8Array): Buffer {
  return createHash('sha256').update(LEAF_PREFIX).update(data).digest();
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
}

export const EMPTY_ROOT: Buffer = createHash('sha256').digest();

/** The largest power of two strictly below n (n > 1). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** The root over leaf hashes, in order (RFC 6962's MTH). */
export function merkleRoot(leaves: readonly Uint8Array[]): Buffer {
  const accumulator = new MerkleAccumulator();
  for (const leaf of leaves) accumulator.add(leaf);
  return accumulator.root();
}

/**
 * Builds the same root as `merkleRoot` from leaves that arrive one at a time, holding only one
 * hash per set bit of the count (O(log n) memory): the verifier streams millions of events.
 * It keeps the complete subtrees the leaves so far form, largest first; the root folds them
 * right to left, which is exactly RFC 6962's split at the largest power of two.
 */
export class MerkleAccumulator {
  private readonly stack: { hash: Buffer; size: number }[] = [];
  private count = 0;

  add(leaf: Uint8Array): void {
    let node: { hash: Buffer; size: number } = { hash: Buffer.from(leaf), size: 1 };
    for (let top = this.stack.at(-1); top !== undefined && top.size === node.size; top = this.stack.at(-1)) {
      this.stack.pop();
      node = { hash: nodeHash(top.hash, node.hash), size: top.size * 2 };
    }
    this.stack.push(node);
    this.count++;
  }

  get size(): number {
    return this.count;
  }

  root(): Buffer {
    let root: Buffer | undefined;
    for (let i = this.stack.length - 1; i >= 0; i--) {
      const subtree = this.stack[i];
      if (subtree === undefined) continue;
      root = root === undefined ? subtree.hash : nodeHash(subtree.hash, root);
    }
    return root ?? EMPTY_ROOT;
  }
}

/**
 * The audit path of leaf `index` (RFC 6962 §2.1.1): the sibling hashes from the leaf up to the
 * root, so a single event can be shown to be under an anchor without handing over the others.
 */
export function inclusionProof(leaves: readonly Uint8Array[], index: number): Buffer[] {
  if (!Number.isInteger(index) || index < 0 || index >= leaves.length) {
    throw new RangeError(`leaf index ${index} is outside a tree of ${leaves.length} leaves`);
  }
  const path: Buffer[] = [];
  let [low, high, target] = [0, leaves.length, index];
  // Walk down from the root, remembering the subtree not taken; the path lists them bottom-up.
  while (high - low > 1) {
    const k = splitPoint(high - low);
    if (target < k) {
      path.push(merkleRoot(leaves.slice(low + k, high)));
      high = low + k;
    } else {
      path.push(merkleRoot(leaves.slice(low, low + k)));
      low += k;
      target -= k;
    }
  }
  return path.reverse();
}

/** Checks an audit path (RFC 9162 §2.1.3.2, which verifies RFC 6962 paths). */
export function verifyInclusion(
  leaf: Uint8Array,
  index: number,
  treeSize: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  if (!Number.isInteger(index) || index < 0 || index >= treeSize) return false;
  let fn = index;
  let sn = treeSize - 1;
  let hash: Buffer = Buffer.from(leaf);
  for (const sibling of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      hash = nodeHash(sibling, hash);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      hash = nodeHash(hash, sibling);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && hash.equals(Buffer.from(root));
}

/** What an anchor commits to for one stored event. */
export interface AnchoredEventIdentity {
  streamName: string;
  revision: bigint;
  /** The event id (UUID). */
  id: string;
  /** The event's per-stream hash-chain link (hex SHA-256), which already covers its content. */
  hash: string;
}

/**
 * An event's leaf: RFC 6962 leaf hash of the JSON array [stream, revision, id, chain link].
 * The chain link covers the content and everything before it in the stream (the verifier checks
 * the links against the content); stream, revision and id pin where the event sits. The global
 * position is left out on purpose: it is the order of the leaves, not part of them, so an export
 * replayed into another store (new positions, same order) recomputes the same roots, and an
 * export whose personal fields were erased still carries the links verbatim.
 */
export function eventLeafHash(event: AnchoredEventIdentity): Buffer {
  const identity = JSON.stringify([event.streamName, event.revision.toString(), event.id, event.hash]);
  return leafHash(Buffer.from(identity, 'utf8'));
}
