import { derivedKey, mac, sameMac } from './signing-keys.ts';

/**
 * Delivery URLs, `/media/<assetId>/<rendition>?expires=<unix seconds>&signature=<HMAC>`: anyone
 * holding one may fetch that rendition until it expires, as with CloudFront or S3 signed URLs, so
 * players, `<img>` tags and HLS clients need no credentials. They are relative to the API's origin.
 */
export interface MediaUrls {
  signedMediaUrl(assetId: string, rendition: string, expiresAt: Date): string;
  /** Whether the signature is this server's for exactly this asset, rendition and expiry, not yet passed. */
  verify(assetId: string, rendition: string, expires: string, signature: string, now: Date): boolean;
}

export function mediaUrls(authSecret: Uint8Array): MediaUrls {
  const key = derivedKey(authSecret, 'delivery-url');
  const sign = (assetId: string, rendition: string, expires: string) =>
    mac(key, `media:${assetId}/${rendition}:${expires}`);
  return {
    signedMediaUrl(assetId, rendition, expiresAt) {
      const expires = String(Math.ceil(expiresAt.getTime() / 1000));
      const signature = sign(assetId, rendition, expires);
      return `${mediaPath(assetId, rendition)}?expires=${expires}&signature=${signature}`;
    },
    verify(assetId, rendition, expires, signature, now) {
      if (!/^\d{1,12}$/.test(expires)) return false;
      if (!sameMac(signature, sign(assetId, rendition, expires))) return false;
      return Number(expires) * 1000 >= now.getTime();
    },
  };
}

export const mediaPath = (assetId: string, rendition: string) =>
  `/media/${assetId}/${encodeURIComponent(rendition)}`;

/**
 * When URLs handed out now should expire: at least `ttlMs` from now, rounded up to the quarter
 * hour, so that URLs for one rendition stay the same for a while and browsers' caches hit.
 */
export function deliveryExpiry(now: Date, ttlMs: number): Date {
  return new Date(Math.ceil((now.getTime() + ttlMs) / QUARTER_HOUR_MS) * QUARTER_HOUR_MS);
}

/**
 * The `max-age` (seconds) to sign into a URL expiring at `expiresAt` and handed out now: the time
 * from the end of the current quarter hour to the expiry, never negative. That is at most what the
 * URL has left whenever in the quarter it is handed out, and the same all quarter long, so the URL
 * text (signed as of the quarter's start) stays identical and caches still hit. A cache keeps a copy
 * `max-age` from when it fetched it, so a copy fetched late may outlive the URL by up to that much.
 */
export function cacheLifetimeSeconds(now: Date, expiresAt: Date): number {
  const quarterEnd = (Math.floor(now.getTime() / QUARTER_HOUR_MS) + 1) * QUARTER_HOUR_MS;
  return Math.max(0, Math.floor((expiresAt.getTime() - quarterEnd) / 1000));
}

const QUARTER_HOUR_MS = 15 * 60_000;
