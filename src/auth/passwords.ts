import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * Password hashing with scrypt (memory-hard, in node:crypto). The stored string names its own
 * parameters, `scrypt$<N>$<r>$<p>$<saltB64>$<hashB64>`, so the cost can be raised later and old
 * hashes still verify (and can be re-hashed at the next successful login).
 */
export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 256;

const COST = { N: 2 ** 15, r: 8, p: 1 } as const;
const SALT_BYTES = 16;
const KEY_BYTES = 32;

// util.promisify types scrypt by its overload without options, so the promise is made by hand.
const scryptAsync = (password: string, salt: Buffer, keyBytes: number, options: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) =>
    scrypt(password, salt, keyBytes, options, (error, key) => (error ? reject(error) : resolve(key))),
  );

interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

async function derive(password: string, salt: Buffer, keyBytes: number, { N, r, p }: ScryptParams) {
  // Node's default maxmem (32 MiB) is just below what N=2^15, r=8 needs (128·N·r plus buffers).
  const maxmem = 256 * N * r;
  // Unicode passwords typed on different keyboards may arrive composed or decomposed.
  return scryptAsync(password.normalize('NFC'), salt, keyBytes, { N, r, p, maxmem });
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, KEY_BYTES, COST);
  return ['scrypt', COST.N, COST.r, COST.p, salt.toString('base64'), key.toString('base64')].join('$');
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const INTEGER = /^[1-9]\d{0,7}$/;

/** Bounds keep a corrupted or hostile stored string from asking for gigabytes of memory. */
function parseStored(stored: string): { params: ScryptParams; salt: Buffer; key: Buffer } | null {
  const [scheme, n, r, p, salt, key, ...rest] = stored.split('$');
  if (scheme !== 'scrypt' || rest.length > 0) return null;
  if (!n || !r || !p || !salt || !key) return null;
  if (![n, r, p].every((part) => INTEGER.test(part))) return null;
  if (!BASE64.test(salt) || !BASE64.test(key)) return null;
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  const powerOfTwo = (params.N & (params.N - 1)) === 0;
  if (!powerOfTwo || params.N < 2 ** 10 || params.N > 2 ** 20 || params.r > 32 || params.p > 16) return null;
  const saltBytes = Buffer.from(salt, 'base64');
  const keyBytes = Buffer.from(key, 'base64');
  if (saltBytes.length < 8 || keyBytes.length < 16 || keyBytes.length > 64) return null;
  return { params, salt: saltBytes, key: keyBytes };
}

/** False for a wrong password and for a stored string this module cannot read; never throws on input. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseStored(stored);
  if (!parsed) return false;
  const candidate = await derive(password, parsed.salt, parsed.key.length, parsed.params);
  return timingSafeEqual(candidate, parsed.key);
}

/** Built from the current cost, so the dummy check always costs what a real one does. */
const DUMMY_STORED = [
  'scrypt',
  COST.N,
  COST.r,
  COST.p,
  Buffer.alloc(SALT_BYTES).toString('base64'),
  Buffer.alloc(KEY_BYTES).toString('base64'),
].join('$');

/**
 * For a login with an unknown e-mail: spends the same scrypt work as a real check and answers
 * false, so response time does not tell which accounts exist.
 */
export async function verifyAgainstDummy(password: string): Promise<false> {
  await verifyPassword(password, DUMMY_STORED);
  return false;
}
