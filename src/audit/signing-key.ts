import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { keyIdOf } from '../domain/audit/anchor-signature.ts';
import type { AnchorSigner } from './anchors.ts';

/**
 * The anchor signing key lives in a file the database never sees (AUDIT_SIGNING_KEY_FILE): a PEM
 * Ed25519 private key, made by `chronicle audit keygen`. Auditors get the public half.
 */

export class SigningKeyError extends Error {
  readonly code = 'SIGNING_KEY_INVALID';
}

export async function loadAnchorSigner(path: string): Promise<AnchorSigner> {
  const privateKey = await keyFrom(path, (pem) => createPrivateKey(pem));
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new SigningKeyError(
      `${path} holds a ${privateKey.asymmetricKeyType} key; anchors are signed with Ed25519`,
    );
  }
  return { privateKey, keyId: keyIdOf(createPublicKey(privateKey)) };
}

/** A public key file, or the private key file itself (its public half is taken). */
export async function loadAnchorPublicKey(path: string): Promise<KeyObject> {
  const publicKey = await keyFrom(path, (pem) => createPublicKey(pem));
  if (publicKey.asymmetricKeyType !== 'ed25519') {
    throw new SigningKeyError(
      `${path} holds a ${publicKey.asymmetricKeyType} key; anchors are signed with Ed25519`,
    );
  }
  return publicKey;
}

/** Writes a new key pair: `<prefix>.key` (mode 0600, never overwritten) and `<prefix>.pub`. */
export async function generateAnchorKeyPair(
  prefix: string,
): Promise<{ keyFile: string; publicFile: string; keyId: string }> {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const keyFile = `${prefix}.key`;
  const publicFile = `${prefix}.pub`;
  await writeFile(keyFile, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600, flag: 'wx' });
  await writeFile(publicFile, publicKey.export({ format: 'pem', type: 'spki' }), { flag: 'wx' });
  return { keyFile, publicFile, keyId: keyIdOf(publicKey) };
}

async function keyFrom(path: string, parse: (pem: string) => KeyObject): Promise<KeyObject> {
  let pem: string;
  try {
    pem = await readFile(path, 'utf8');
  } catch (error) {
    throw new SigningKeyError(`cannot read the key file ${path}: ${(error as Error).message}`);
  }
  try {
    return parse(pem);
  } catch (error) {
    throw new SigningKeyError(`${path} is not a PEM key: ${(error as Error).message}`);
  }
}
