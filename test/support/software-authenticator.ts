import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';

/**
 * A WebAuthn authenticator in software, doing what a platform authenticator and the browser do
 * between them: a P-256 key pair per credential (node:crypto), authenticator data with the RP id
 * hash, flags and a signature counter, a CBOR attestation object with attestation 'none', client
 * data with the challenge and origin, and ES256 signatures over authenticator data + the client
 * data hash. Nothing is mocked on the server side: it verifies these bytes as it would a browser's.
 *
 *   const authenticator = new SoftwareAuthenticator({ origin: 'http://localhost:4000' });
 *   const response = authenticator.create(options);   // options from startPasskeyRegistration
 *   const assertion = authenticator.get(options);     // options from startPasskeySignIn
 */
export interface SoftwareAuthenticatorOptions {
  /** The origin the "browser" writes into client data. */
  origin: string;
  /** False: a counter that stays 0, as many synced passkeys do. Default true. */
  counts?: boolean;
  /** Sets the backup-eligible and backed-up flags (a synced passkey). Default false. */
  backedUp?: boolean;
}

interface HeldCredential {
  id: Buffer;
  rpId: string;
  userHandle: string;
  privateKey: KeyObject;
  counter: number;
}

interface CreationOptions {
  challenge: string;
  rp: { id?: string; name: string };
  user: { id: string; name: string };
  excludeCredentials?: { id: string }[];
}

interface RequestOptions {
  challenge: string;
  rpId?: string;
  allowCredentials?: { id: string }[];
}

const FLAG_USER_PRESENT = 0x01;
const FLAG_USER_VERIFIED = 0x04;
const FLAG_BACKUP_ELIGIBLE = 0x08;
const FLAG_BACKED_UP = 0x10;
const FLAG_ATTESTED_CREDENTIAL = 0x40;

export class SoftwareAuthenticator {
  readonly origin: string;
  private readonly counts: boolean;
  private readonly backedUp: boolean;
  private readonly credentials: HeldCredential[];

  constructor(options: SoftwareAuthenticatorOptions, credentials: HeldCredential[] = []) {
    this.origin = options.origin;
    this.counts = options.counts ?? true;
    this.backedUp = options.backedUp ?? false;
    this.credentials = credentials;
  }

  /** A second authenticator holding copies of this one's keys and counters: a cloned authenticator. */
  clone(): SoftwareAuthenticator {
    return new SoftwareAuthenticator(
      { origin: this.origin, counts: this.counts, backedUp: this.backedUp },
      this.credentials.map((credential) => ({ ...credential })),
    );
  }

  /** The same keys, answering from another origin (a phishing site). */
  at(origin: string): SoftwareAuthenticator {
    return new SoftwareAuthenticator(
      { origin, counts: this.counts, backedUp: this.backedUp },
      this.credentials,
    );
  }

  /** `navigator.credentials.create()` followed by `toJSON()`. */
  create(options: unknown, overrides: { origin?: string } = {}) {
    const creation = options as CreationOptions;
    const rpId = creation.rp.id ?? new URL(this.origin).hostname;
    const excluded = new Set((creation.excludeCredentials ?? []).map((c) => c.id));
    if (this.credentials.some((c) => c.rpId === rpId && excluded.has(c.id.toString('base64url')))) {
      throw new Error('InvalidStateError: this authenticator already holds a passkey for the account');
    }
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const credential: HeldCredential = {
      id: randomBytes(32),
      rpId,
      userHandle: creation.user.id,
      privateKey,
      counter: 0,
    };
    this.credentials.push(credential);
    const jwk = publicKey.export({ format: 'jwk' });
    // COSE_Key (RFC 9053): kty EC2 (2), alg ES256 (-7), crv P-256 (1), x, y.
    const coseKey = cbor(
      new Map<number, CborValue>([
        [1, 2],
        [3, -7],
        [-1, 1],
        [-2, Buffer.from(jwk.x as string, 'base64url')],
        [-3, Buffer.from(jwk.y as string, 'base64url')],
      ]),
    );
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(credential.id.length);
    const authData = Buffer.concat([
      this.authenticatorData(rpId, FLAG_ATTESTED_CREDENTIAL, credential.counter),
      Buffer.alloc(16), // AAGUID: all zeros, as attestation 'none' allows
      idLength,
      credential.id,
      coseKey,
    ]);
    const attestationObject = cbor(
      new Map<string, CborValue>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', authData],
      ]),
    );
    const clientDataJSON = clientData('webauthn.create', creation.challenge, overrides.origin ?? this.origin);
    const id = credential.id.toString('base64url');
    return {
      id,
      rawId: id,
      type: 'public-key',
      response: {
        clientDataJSON: clientDataJSON.toString('base64url'),
        attestationObject: attestationObject.toString('base64url'),
        transports: ['internal'],
      },
      authenticatorAttachment: 'platform',
      clientExtensionResults: {},
    };
  }

  /**
   * `navigator.credentials.get()` followed by `toJSON()`: signs with the first allowed credential
   * it holds (or, with no allow list, its passkey for the RP: a discoverable credential), counting up.
   */
  get(options: unknown, overrides: { credentialId?: string } = {}) {
    const request = options as RequestOptions;
    const rpId = request.rpId ?? new URL(this.origin).hostname;
    const allowed = new Set((request.allowCredentials ?? []).map((c) => c.id));
    const wanted = overrides.credentialId;
    const credential = this.credentials.find(
      (c) =>
        c.rpId === rpId &&
        (wanted
          ? c.id.toString('base64url') === wanted
          : allowed.size === 0 || allowed.has(c.id.toString('base64url'))),
    );
    if (!credential) throw new Error('NotAllowedError: no passkey for this request');
    if (this.counts) credential.counter += 1;
    return this.sign(credential, rpId, request.challenge);
  }

  /** Signs for a credential id this authenticator does not hold, with one of its own keys (a forgery). */
  forge(options: unknown, credentialId: string, userHandle: string) {
    const request = options as RequestOptions;
    const rpId = request.rpId ?? new URL(this.origin).hostname;
    const own = this.credentials[0];
    if (!own) throw new Error('the forger needs a key of its own');
    own.counter += 1;
    const signed = this.sign({ ...own, userHandle }, rpId, request.challenge);
    return { ...signed, id: credentialId, rawId: credentialId };
  }

  private sign(credential: HeldCredential, rpId: string, challenge: string) {
    const authenticatorData = this.authenticatorData(rpId, 0, credential.counter);
    const clientDataJSON = clientData('webauthn.get', challenge, this.origin);
    const signature = sign(
      'sha256',
      Buffer.concat([authenticatorData, createHash('sha256').update(clientDataJSON).digest()]),
      credential.privateKey,
    );
    const id = credential.id.toString('base64url');
    return {
      id,
      rawId: id,
      type: 'public-key',
      response: {
        clientDataJSON: clientDataJSON.toString('base64url'),
        authenticatorData: authenticatorData.toString('base64url'),
        signature: signature.toString('base64url'),
        userHandle: credential.userHandle,
      },
      authenticatorAttachment: 'platform',
      clientExtensionResults: {},
    };
  }

  /** rpIdHash (32) | flags (1) | signCount (4, big-endian), before any attested credential data. */
  private authenticatorData(rpId: string, extraFlags: number, counter: number): Buffer {
    const backup = this.backedUp ? FLAG_BACKUP_ELIGIBLE | FLAG_BACKED_UP : 0;
    const flags = Buffer.of(FLAG_USER_PRESENT | FLAG_USER_VERIFIED | backup | extraFlags);
    const signCount = Buffer.alloc(4);
    signCount.writeUInt32BE(counter);
    return Buffer.concat([createHash('sha256').update(rpId).digest(), flags, signCount]);
  }
}

function clientData(type: string, challenge: string, origin: string): Buffer {
  return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }));
}

type CborValue = number | string | Buffer | Map<number | string, CborValue>;

/** The slice of CBOR (RFC 8949) attestation needs, in its canonical encoding: integers, strings, bytes, maps. */
function cbor(value: CborValue): Buffer {
  if (typeof value === 'number') {
    return value >= 0 ? head(0, value) : head(1, -1 - value);
  }
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    return Buffer.concat([head(3, bytes.length), bytes]);
  }
  if (Buffer.isBuffer(value)) return Buffer.concat([head(2, value.length), value]);
  const entries = [...value.entries()].map(([key, item]) => Buffer.concat([cbor(key), cbor(item)]));
  return Buffer.concat([head(5, value.size), ...entries]);
}

function head(major: number, length: number): Buffer {
  if (length < 24) return Buffer.of((major << 5) | length);
  if (length < 0x100) return Buffer.of((major << 5) | 24, length);
  if (length < 0x10000) {
    const bytes = Buffer.alloc(3);
    bytes[0] = (major << 5) | 25;
    bytes.writeUInt16BE(length, 1);
    return bytes;
  }
  const bytes = Buffer.alloc(5);
  bytes[0] = (major << 5) | 26;
  bytes.writeUInt32BE(length, 1);
  return bytes;
}
