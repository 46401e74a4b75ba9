/** Where the API serves a brand's public JSON Feed (the `feed` publishing channel). */
export const feedPath = (brandId: string) => `/brands/${brandId}/feed.json`;
