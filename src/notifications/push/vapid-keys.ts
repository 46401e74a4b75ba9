import { createECDH } from 'node:crypto';
import path from 'node:path';
import { keepOnce, readIfPresent } from '../../auth/auth-secret.ts';
import { type Config, ConfigError } from '../../config.ts';

/**
 * The application server's VAPID identity (RFC 8292): push services accept a message only when its
 * JWT is signed with the private key whose public half the browser subscribed with
 * (`applicationServerKey`). Keys are base64url: the public key an uncompressed P-256 point (65
 * bytes), the private key its 32-byte scalar.
 */
export interface VapidKeys {
  publicKey: string;
  privateKey: string;
  /** `mailto:` or `https:`: whom the push service may contact about these pushes. */
  subject: string;
}

export const VAPID_KEYS_FILE = 'vapid-keys.json';

/**
 * Used when VAPID_SUBJECT is unset. Some push services (Apple's) refuse a subject on localhost or a
 * reserved domain: production sets VAPID_SUBJECT to an address that reaches its operator.
 */
export const DEFAULT_VAPID_SUBJECT = 'mailto:push@chronicle.invalid';

/**
 * The configured pair (VAPID_PUBLIC_KEY + VAPID_PRIVATE_KEY), or one made once and kept in
 * `<dataDir>/vapid-keys.json` (mode 0600), so `npm start` works on a fresh clone and browsers'
 * subscriptions keep working across restarts: a new pair would orphan every subscription made with
 * the old public key. Every API and worker process must use the same pair. A private key that does
 * not belong to its public key stops start-up.
 */
export async function resolveVapidKeys(
  config: Pick<Config, 'VAPID_PUBLIC_KEY' | 'VAPID_PRIVATE_KEY' | 'VAPID_SUBJECT'>,
  dataDir: string,
): Promise<VapidKeys> {
  const subject = config.VAPID_SUBJECT ?? DEFAULT_VAPID_SUBJECT;
  if (config.VAPID_PUBLIC_KEY !== undefined && config.VAPID_PRIVATE_KEY !== undefined) {
    const keys = { publicKey: config.VAPID_PUBLIC_KEY, privateKey: config.VAPID_PRIVATE_KEY };
    const problem = pairProblem(keys);
    if (problem) throw new ConfigError([{ variable: 'VAPID_PRIVATE_KEY', message: problem }]);
    return { ...keys, subject };
  }
  const file = path.join(dataDir, VAPID_KEYS_FILE);
  const kept =
    (await readIfPresent(file)) ?? (await keepOnce(file, `${JSON.stringify(generateVapidKeyPair())}\n`));
  const keys = parseKept(kept);
  const problem = keys ? pairProblem(keys) : 'is not a JSON object with publicKey and privateKey';
  if (!keys || problem) {
    throw new ConfigError([{ variable: 'VAPID_PUBLIC_KEY', message: `is unset and ${file} ${problem}` }]);
  }
  return { ...keys, subject };
}

/** A fresh pair, as `web-push generate-vapid-keys` makes one. */
export function generateVapidKeyPair(): { publicKey: string; privateKey: string } {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  return {
    publicKey: ecdh.getPublicKey().toString('base64url'),
    // getPrivateKey drops leading zero bytes; the JWK scalar is always 32 bytes.
    privateKey: Buffer.from(ecdh.getPrivateKey().toString('hex').padStart(64, '0'), 'hex').toString(
      'base64url',
    ),
  };
}

function parseKept(text: string): { publicKey: string; privateKey: string } | null {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null) return null;
    const publicKey = Reflect.get(value, 'publicKey');
    const privateKey = Reflect.get(value, 'privateKey');
    return typeof publicKey === 'string' && typeof privateKey === 'string' ? { publicKey, privateKey } : null;
  } catch {
    return null;
  }
}

/** Why the pair is unusable, or null: the public key must be the private key's. */
function pairProblem(keys: { publicKey: string; privateKey: string }): string | null {
  const publicKey = Buffer.from(keys.publicKey, 'base64url');
  const privateKey = Buffer.from(keys.privateKey, 'base64url');
  if (publicKey.length !== 65 || privateKey.length !== 32) return 'does not hold a P-256 key pair';
  try {
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(privateKey);
    return Buffer.compare(ecdh.getPublicKey(), publicKey) === 0
      ? null
      : 'is not the private key of VAPID_PUBLIC_KEY';
  } catch {
    return 'is not a P-256 private key';
  }
}
