import type { KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { checkAnchorSignature } from '../domain/audit/anchor-signature.ts';
import type { Position } from '../eventstore/port.ts';
import { type Anchor, anchorFields, anchorRefOf } from './anchors.ts';
import { type PublishedRoot, publishedRootSchema } from './root-publication.ts';
import type { Finding } from './verify.ts';

/**
 * What `chronicle audit verify` checks beyond the database: anchor signatures against a public key
 * (`--public-key`), and the store's anchors against roots published outside it (`--against`).
 * The store's anchors are already recomputed from its events; these checks say whether those
 * anchors are the ones that were signed and published at the time, so history rewritten and
 * re-anchored by someone with database access alone is caught.
 */

export class PublishedRootsInvalid extends Error {
  readonly code = 'PUBLISHED_ROOTS_INVALID';
}

/** Reads a file of published roots (JSON lines, as fileRootPublisher writes them). */
export async function readPublishedRoots(path: string): Promise<PublishedRoot[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new PublishedRootsInvalid(`cannot read ${path}: ${(error as Error).message}`);
  }
  const roots: PublishedRoot[] = [];
  for (const [index, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      throw new PublishedRootsInvalid(`${path} line ${index + 1} is not JSON`);
    }
    const parsed = publishedRootSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new PublishedRootsInvalid(
        `${path} line ${index + 1} is not a published root: ${issue?.path.join('.')} ${issue?.message}`,
      );
    }
    roots.push(parsed.data);
  }
  return roots;
}

export interface LocatedFinding {
  finding: Finding;
  key: Position;
  rank: number;
}

/**
 * Every anchor starting at or after `signedFrom` must carry a valid signature by `publicKey`
 * (anchors written before signing was set up start below it).
 */
export function signatureFindings(
  anchors: readonly Anchor[],
  publicKey: KeyObject,
  signedFrom: Position,
): LocatedFinding[] {
  const findings: LocatedFinding[] = [];
  for (const anchor of anchors) {
    if (anchor.fromPosition < signedFrom) continue;
    const check = checkAnchorSignature(anchorFields(anchor), anchor.signature, publicKey);
    if (check === 'valid') continue;
    const code = check === 'unsigned' ? 'ANCHOR_UNSIGNED' : 'ANCHOR_SIGNATURE_INVALID';
    const why =
      check === 'unsigned'
        ? 'carries no signature'
        : check === 'other-key'
          ? `is signed by key ${anchor.signature?.keyId}, not the one given`
          : 'carries a signature that does not match its range and root';
    findings.push({
      finding: {
        code,
        anchor: anchorRefOf(anchor),
        message: `anchor ${anchor.stream} (positions ${anchor.fromPosition}..${anchor.toPosition}) ${why}: it was not written by the holder of the signing key`,
      },
      key: anchor.fromPosition,
      rank: 1,
    });
  }
  return findings;
}

/**
 * Each published root must be, field for field, the store's anchor from the same position. A
 * root the store lacks means anchored history was deleted (or rewritten and re-anchored in other
 * ranges); a root that differs means the range was rewritten and re-anchored. Store anchors newer
 * than the last published root are simply not published yet.
 */
export function publishedFindings(
  anchors: readonly Anchor[],
  roots: readonly PublishedRoot[],
  publicKey: KeyObject | undefined,
): LocatedFinding[] {
  const byStart = new Map(anchors.map((anchor) => [anchor.fromPosition, anchor]));
  const findings: LocatedFinding[] = [];
  const seen = new Set<string>();
  for (const root of roots) {
    const text = JSON.stringify(root);
    if (seen.has(text)) continue; // published twice (at-least-once delivery)
    seen.add(text);
    const from = BigInt(root.fromPosition);
    const where = `published root for positions ${root.fromPosition}..${root.toPosition} (anchored ${root.anchoredAt}, root ${root.merkleRoot})`;
    const ref = {
      stream: root.anchorStream,
      eventId: root.anchorEventId,
      fromPosition: from,
      toPosition: BigInt(root.toPosition),
    };
    if (publicKey && root.signature && checkAnchorSignature(root, root.signature, publicKey) !== 'valid') {
      findings.push({
        finding: {
          code: 'PUBLISHED_SIGNATURE_INVALID',
          anchor: ref,
          message: `${where}: its signature does not verify, so the published copy itself was altered`,
        },
        key: from,
        rank: 2,
      });
      continue;
    }
    const anchor = byStart.get(from);
    if (!anchor) {
      findings.push({
        finding: {
          code: 'PUBLISHED_ANCHOR_MISSING',
          anchor: ref,
          message: `${where}: the store has no anchor from position ${root.fromPosition}: the history it covered was deleted or rewritten`,
        },
        key: from,
        rank: 2,
      });
      continue;
    }
    const differs: string[] = [];
    if (anchor.toPosition.toString() !== root.toPosition) differs.push(`it ends at ${anchor.toPosition}`);
    if (anchor.eventCount !== root.eventCount)
      differs.push(`it counts ${anchor.eventCount} events, not ${root.eventCount}`);
    if (anchor.merkleRoot !== root.merkleRoot) differs.push(`its root is ${anchor.merkleRoot}`);
    if (differs.length === 0) continue;
    findings.push({
      finding: {
        code: 'PUBLISHED_ROOT_MISMATCH',
        anchor: anchorRefOf(anchor),
        message: `${where}: the store's anchor ${anchor.stream} differs (${differs.join('; ')}): the range was rewritten and anchored again`,
      },
      key: from,
      rank: 2,
    });
  }
  return findings;
}

/** The newest range end among published roots (what the published copy vouches for). */
export function publishedUpTo(roots: readonly PublishedRoot[]): Position | undefined {
  let max: Position | undefined;
  for (const root of roots) {
    const to = BigInt(root.toPosition);
    if (max === undefined || to > max) max = to;
  }
  return max;
}
