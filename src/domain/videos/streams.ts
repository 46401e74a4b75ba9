/** Stream names, `<category>-<uuid>` so EventStoreDB's `$ce-<category>` projections work. */
export const videoPostStream = (postId: string) => `videopost-${postId}`;
