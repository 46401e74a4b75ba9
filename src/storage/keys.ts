/**
 * Where an asset's objects live. Everything of one asset is under `assetPrefix`, so deleting the
 * asset is one `deletePrefix`. Each upload attempt stores its original under its own key: two
 * uploads racing with one URL never overwrite each other's bytes, and the loser's object is removed.
 */
export const assetPrefix = (assetId: string) => `media/${assetId}/`;

export const originalKey = (assetId: string, uploadId: string) => `media/${assetId}/original/${uploadId}`;

export const renditionKey = (assetId: string, rendition: string) =>
  `media/${assetId}/renditions/${rendition}`;
