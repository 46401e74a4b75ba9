/** Stream names, `<category>-<uuid>` so EventStoreDB's `$ce-<category>` projections work. */
export const mediaStream = (assetId: string) => `media-${assetId}`;
