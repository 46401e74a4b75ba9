/** Stream names, `<category>-<uuid>` so EventStoreDB's `$ce-<category>` projections work. */
export const brandStream = (brandId: string) => `brand-${brandId}`;
