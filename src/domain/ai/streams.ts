/** One stream per generation request, `<category>-<uuid>` so EventStoreDB's `$ce-aigeneration` works. */
export const aiGenerationStream = (requestId: string) => `aigeneration-${requestId}`;
