/**
 * What an object storage offers when clients can reach its objects themselves (S3 and its kin):
 * presigned URLs, so bytes go between client and storage without passing through the API. The
 * local adapter has none; callers then serve the bytes themselves.
 */
export interface DirectObjectAccess {
  /**
   * Whether clients reach objects through a shared cache (a CDN at S3_PUBLIC_BASE_URL), so that
   * responses may be marked `public`.
   */
  readonly sharedCache: boolean;
  /**
   * A URL that accepts one `PUT` of exactly `size` bytes of `contentType` at `key` until
   * `expiresAt`: both headers are part of the signature, so another type or length is refused by
   * the storage itself.
   */
  presignPut(
    key: string,
    upload: { contentType: string; size: number; expiresAt: Date },
  ): Promise<PresignedPut>;
  /** A URL that serves the object until `expiresAt`, with the response headers given. */
  presignGet(key: string, response: PresignedGetOptions): Promise<string>;
  /** The object's size, the content type it was stored with and when, or null when there is none. */
  head(key: string): Promise<ObjectHead | null>;
}

export interface PresignedPut {
  url: string;
  /** Headers the client must send with exactly these values (they are signed). */
  headers: Record<string, string>;
}

export interface PresignedGetOptions {
  expiresAt: Date;
  contentType?: string;
  cacheControl?: string;
  /** Offer the object as a download under this name (`Content-Disposition: attachment`). */
  downloadAs?: string;
}

export interface ObjectHead {
  size: number;
  contentType: string | null;
  lastModified: Date | null;
}
