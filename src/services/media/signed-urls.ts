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
  const quarter = 15 * 60_000;
  return new Date(Math.ceil((now.getTime() + ttlMs) / quarter) * quarter);
}
