/** Stream names, `<category>-<uuid>` so EventStoreDB's `$ce-<category>` projections work. */
export const contentStream = (contentId: string) => `content-${contentId}`;
