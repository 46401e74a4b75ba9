import { forbidden } from '../../domain/shared/domain-error.ts';
import { derivedKey, mac, sameMac } from './signing-keys.ts';

/**
 * Upload URLs (`/uploads/<token>`) as S3 pre-signed URLs work: the token names the asset and when
 * it expires, and is signed (HMAC-SHA256), so the server keeps no token store. It is single use
 * because the media aggregate records one upload only.
 */
export interface UploadTokens {
  issue(assetId: string, expiresAt: Date): string;
  /** The asset the token is for; FORBIDDEN (`UPLOAD_URL_INVALID` / `UPLOAD_URL_EXPIRED`) otherwise. */
  verify(token: string, now: Date): { assetId: string; expiresAt: Date };
}

const TOKEN = /^([0-9a-f-]{36})\.(\d{1,15})\.([A-Za-z0-9_-]{43})$/;

export function uploadTokens(authSecret: Uint8Array): UploadTokens {
  const key = derivedKey(authSecret, 'upload-token');
  const sign = (assetId: string, expiresMs: number) => mac(key, `upload:${assetId}:${expiresMs}`);
  return {
    issue(assetId, expiresAt) {
      const expiresMs = expiresAt.getTime();
      return `${assetId}.${expiresMs}.${sign(assetId, expiresMs)}`;
    },
    verify(token, now) {
      const [, assetId, expires, signature] = TOKEN.exec(token) ?? [];
      const expiresMs = Number(expires);
      if (!assetId || !signature || !sameMac(signature, sign(assetId, expiresMs))) {
        throw forbidden('UPLOAD_URL_INVALID', 'This upload URL is not valid');
      }
      if (now.getTime() > expiresMs) {
        throw forbidden('UPLOAD_URL_EXPIRED', 'This upload URL has expired', {
          expiresAt: new Date(expiresMs).toISOString(),
        });
      }
      return { assetId, expiresAt: new Date(expiresMs) };
    },
  };
}

export const uploadPath = (token: string) => `/uploads/${token}`;
