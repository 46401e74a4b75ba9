import { ECDH } from 'node:crypto';
import { validation } from '../shared/domain-error.ts';

/** A browser's Web Push subscription (PushSubscription.toJSON()), keys in base64url. */
export interface PushSubscription {
  endpoint: string;
  p256dh: string;
  auth: string;
}

/** Push services' endpoints are a few hundred characters; this bounds what is stored and sent. */
export const MAX_ENDPOINT_LENGTH = 2048;

/** Unpadded base64url as browsers give it; padded input is accepted too (some libraries pad). */
const BASE64URL = /^[A-Za-z0-9_-]+={0,2}$/;

export type PushSubscriptionProblem = 'ENDPOINT' | 'ENDPOINT_HOST' | 'P256DH' | 'AUTH';

const invalid = (problem: PushSubscriptionProblem, message: string) =>
  validation('INVALID_PUSH_SUBSCRIPTION', message, { problem });

/**
 * Checks a subscription the way a push sender will need it: an absolute http(s) URL without
 * credentials, `p256dh` an uncompressed P-256 point (65 bytes, 0x04 first) that lies on the curve
 * (RFC 8291 derives the message key from it; a point off the curve is an invalid-curve attack
 * vector and could never be encrypted to), `auth` the 16-byte secret. Whether the endpoint's host
 * may be reached is the deployment's outbound policy, checked by the service.
 */
export function checkPushSubscription(subscription: PushSubscription): PushSubscription {
  const { endpoint, p256dh, auth } = subscription;
  if (endpoint.length > MAX_ENDPOINT_LENGTH) {
    throw invalid('ENDPOINT', `The endpoint is longer than ${MAX_ENDPOINT_LENGTH} characters`);
  }
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw invalid('ENDPOINT', 'The endpoint is not an absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw invalid('ENDPOINT', 'The endpoint must be an https URL');
  }
  if (url.username !== '' || url.password !== '') {
    throw invalid('ENDPOINT', 'The endpoint must not carry a user name or password');
  }
  const point = decoded(p256dh);
  if (point === null || point.length !== 65 || point[0] !== 0x04 || !onCurve(point)) {
    throw invalid('P256DH', 'keys.p256dh must be the base64url of an uncompressed P-256 public key');
  }
  const secret = decoded(auth);
  if (secret === null || secret.length !== 16) {
    throw invalid('AUTH', 'keys.auth must be the base64url of a 16-byte secret');
  }
  return { endpoint, p256dh: unpadded(p256dh), auth: unpadded(auth) };
}

function decoded(text: string): Buffer | null {
  return BASE64URL.test(text) ? Buffer.from(unpadded(text), 'base64url') : null;
}

const unpadded = (text: string) => text.replace(/=+$/, '');

/** OpenSSL refuses to read a point that is not on the curve. */
function onCurve(point: Buffer): boolean {
  try {
    ECDH.convertKey(point, 'prime256v1', undefined, undefined, 'compressed');
    return true;
  } catch {
    return false;
  }
}

export const samePushSubscription = (a: PushSubscription | null, b: PushSubscription | null) =>
  a === null || b === null
    ? a === b
    : a.endpoint === b.endpoint && a.p256dh === b.p256dh && a.auth === b.auth;
