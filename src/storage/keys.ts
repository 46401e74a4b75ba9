/** A key segment; never starting with a dot, so temporary files (`.name.<uuid>.tmp`) are no key's. */
const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

/** `/`-separated segments of `[A-Za-z0-9._-]`, none empty or dot-led, at most 1024 characters. */
export function isValidKey(key: string): boolean {
  return key.length > 0 && key.length <= 1024 && key.split('/').every((segment) => SEGMENT.test(segment));
}

/**
 * Where an asset's objects live. Everything of one asset is under `assetPrefix`, so deleting the
 * asset is one `deletePrefix`. Each upload attempt stores its original under its own key: two
 * uploads racing with one URL never overwrite each other's bytes, and the loser's object is removed.
 */
export const assetPrefix = (assetId: string) => `media/${assetId}/`;

export const originalKey = (assetId: string, uploadId: string) => `media/${assetId}/original/${uploadId}`;

/**
 * Where a client's direct upload (a presigned PUT) lands. The original is copied from there to an
 * `originalKey` no URL names, so the URL, still valid for a while, cannot change recorded bytes.
 */
export const incomingKey = (assetId: string) => `media/${assetId}/incoming/upload`;

export const renditionKey = (assetId: string, rendition: string) =>
  `media/${assetId}/renditions/${rendition}`;
