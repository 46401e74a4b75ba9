import type { KeyObject } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { ConfigError } from '../config.ts';
import type { Logger } from '../logger.ts';
import {
  generateSigningKey,
  KID_PATTERN,
  openSigningKey,
  type PublicJwk,
  type SealedSigningKey,
  SIGNING_ALGORITHM,
} from './signing-key-material.ts';
import {
  KEY_REFRESH_MS,
  type KeyLifetime,
  MAX_SIGNER_AGE_MS,
  rotationCutoff,
  rotationDue,
  verifiesAt,
} from './signing-key-policy.ts';
import { createFirstSigningKey, listSigningKeys, rotateSigningKey } from './signing-key-store.ts';

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
}

/** One entry of the JWKS (RFC 7517, the OKP members of RFC 8037). */
export interface PublishedKey extends PublicJwk {
  kid: string;
  alg: typeof SIGNING_ALGORITHM;
  use: 'sig';
}

/** The keys access tokens are signed and verified with, as one API process sees them. */
export interface AccessTokenKeys {
  /** The key new tokens are signed with. */
  signingKey(now: Date): Promise<SigningKey>;
  /** The public key named `kid` if its tokens are accepted at `now`; undefined otherwise. */
  verificationKey(kid: string, now: Date): Promise<KeyObject | undefined>;
  /** What GET /.well-known/jwks.json serves: every key whose tokens are accepted at `now`. */
  publishedKeys(now: Date): Promise<PublishedKey[]>;
}

export interface SigningKeyRingOptions {
  pool: pg.Pool;
  authSecret: Uint8Array;
  log: Logger;
  /** Read the keys again once they are this old (default KEY_REFRESH_MS). */
  refreshMs?: number;
  /** At most one read per this interval, however many unknown kids arrive (default 1 s). */
  minReadIntervalMs?: number;
  /** KEY_ROTATION_DAYS: make a new signing key once the current one is this old; 0 or unset never. */
  rotateAfterDays?: number;
}

interface KnownKey {
  publicJwk: PublicJwk;
  publicKey: KeyObject;
  lifetime: KeyLifetime;
}

interface Snapshot {
  /** performance.now() when the read began. */
  readAt: number;
  keys: Map<string, KnownKey>;
  signer?: SigningKey;
  /** Why there is no signer. */
  signerProblem?: string;
}

const mismatch = (kid: string) =>
  `does not open the access-token signing key ${kid}: every API process and \`chronicle keys\` need the AUTH_SECRET it was made with`;

/**
 * The signing keys cached per process, read from the database:
 * - the first read makes the first key when there is none (race-safe, see createFirstSigningKey);
 * - keys older than `refreshMs` are read again in the background while requests go on with the
 *   ones at hand, so a rotation made elsewhere is seen within about a minute;
 * - a token naming a kid this process does not know (another process rotated a moment ago) waits
 *   for a read that began after it arrived. Reads are single-flight and at most one per
 *   `minReadIntervalMs`, so a flood of made-up kids costs the database one query a second, and a
 *   kid that is not even shaped like one is refused without a read;
 * - with `rotateAfterDays`, a read that finds the signing key due makes a new one.
 */
export class SigningKeyRing implements AccessTokenKeys {
  private snapshot: Snapshot | undefined;
  private reading: Promise<Snapshot> | undefined;
  private lastReadAt = Number.NEGATIVE_INFINITY;
  private readonly refreshMs: number;
  private readonly minReadIntervalMs: number;

  constructor(private readonly options: SigningKeyRingOptions) {
    this.refreshMs = options.refreshMs ?? KEY_REFRESH_MS;
    this.minReadIntervalMs = options.minReadIntervalMs ?? 1_000;
  }

  async signingKey(now: Date): Promise<SigningKey> {
    let snapshot = await this.current(now);
    // Keys this old may hold a signer retired longer ago than its grace: read them or sign nothing.
    if (performance.now() - snapshot.readAt > MAX_SIGNER_AGE_MS) {
      snapshot = await this.readSince(performance.now() - this.refreshMs, now);
    }
    if (!snapshot.signer) {
      throw new ConfigError([
        { variable: 'AUTH_SECRET', message: snapshot.signerProblem ?? 'no access-token signing key' },
      ]);
    }
    return snapshot.signer;
  }

  async verificationKey(kid: string, now: Date): Promise<KeyObject | undefined> {
    if (!KID_PATTERN.test(kid)) return undefined;
    const arrivedAt = performance.now();
    let known = (await this.current(now)).keys.get(kid);
    if (!known) known = (await this.readSince(arrivedAt, now)).keys.get(kid);
    return known && verifiesAt(known.lifetime, now) ? known.publicKey : undefined;
  }

  async publishedKeys(now: Date): Promise<PublishedKey[]> {
    const { keys } = await this.current(now);
    return [...keys]
      .filter(([, key]) => verifiesAt(key.lifetime, now))
      .map(([kid, key]) => ({ ...key.publicJwk, kid, alg: SIGNING_ALGORITHM, use: 'sig' as const }));
  }

  /** The keys at hand, reading them first if there are none and in the background if they are old. */
  private async current(now: Date): Promise<Snapshot> {
    const { snapshot } = this;
    if (!snapshot) return this.readSince(Number.NEGATIVE_INFINITY, now);
    const sinceRead = performance.now() - this.lastReadAt;
    if (performance.now() - snapshot.readAt >= this.refreshMs && sinceRead >= this.minReadIntervalMs) {
      if (!this.reading) {
        this.read(now).catch((error: unknown) =>
          this.options.log.warn(
            { err: error },
            'could not read the access-token signing keys; using those read before',
          ),
        );
      }
    }
    return snapshot;
  }

  /** Keys from a read that began at `mark` or later, joining the read under way when it qualifies. */
  private async readSince(mark: number, now: Date): Promise<Snapshot> {
    for (;;) {
      if (this.snapshot && this.snapshot.readAt >= mark) return this.snapshot;
      const snapshot = await (this.reading ?? this.read(now));
      if (snapshot.readAt >= mark) return snapshot;
    }
  }

  private read(now: Date): Promise<Snapshot> {
    const reading = (async () => {
      const wait = this.lastReadAt + this.minReadIntervalMs - performance.now();
      if (wait > 0) await sleep(wait);
      const readAt = performance.now();
      this.lastReadAt = readAt;
      const snapshot = await this.load(now, readAt);
      if (!this.snapshot || snapshot.readAt > this.snapshot.readAt) this.snapshot = snapshot;
      return snapshot;
    })().finally(() => {
      if (this.reading === reading) this.reading = undefined;
    });
    this.reading = reading;
    return reading;
  }

  private async load(now: Date, readAt: number): Promise<Snapshot> {
    const { pool, authSecret, log } = this.options;
    let rows = await listSigningKeys(pool);
    if (!rows.some((row) => row.retiredAt === null)) {
      const first = generateSigningKey(authSecret);
      if (await createFirstSigningKey(pool, first, now)) {
        log.info({ kid: first.kid }, 'made the first access-token signing key');
      }
      rows = await listSigningKeys(pool);
    }
    const days = this.options.rotateAfterDays ?? 0;
    const due = rows.find((row) => row.retiredAt === null && rotationDue(row.createdAt, now, days));
    if (due) {
      const rotation = await rotateSigningKey(pool, generateSigningKey(authSecret), now, {
        ifSignerCreatedBefore: rotationCutoff(now, days),
        // A process that cannot open the signing key must not replace it with one the others cannot open.
        check: (signer: SealedSigningKey) => {
          if (!openSigningKey(signer, authSecret)) {
            throw new ConfigError([{ variable: 'AUTH_SECRET', message: mismatch(signer.kid) }]);
          }
        },
      });
      if (rotation) {
        log.info(
          { kid: rotation.signing, retired: rotation.retired },
          `rotated the access-token signing key (KEY_ROTATION_DAYS=${days})`,
        );
      }
      rows = await listSigningKeys(pool);
    }
    const snapshot: Snapshot = { readAt, keys: new Map() };
    for (const row of rows) {
      if (!verifiesAt(row, now)) continue;
      const opened = openSigningKey(row, authSecret);
      if (!opened) {
        // Another AUTH_SECRET, or a row written or changed by someone with database access alone.
        log.error(
          { kid: row.kid },
          'an access-token signing key does not open with this AUTH_SECRET; its tokens are refused',
        );
        if (row.retiredAt === null) snapshot.signerProblem = mismatch(row.kid);
        continue;
      }
      snapshot.keys.set(row.kid, { publicJwk: opened.publicJwk, publicKey: opened.publicKey, lifetime: row });
      if (row.retiredAt === null) snapshot.signer = { kid: row.kid, privateKey: opened.privateKey };
    }
    return snapshot;
  }
}
