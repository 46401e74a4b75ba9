/** Stream names, `<category>-<uuid>` so EventStoreDB's `$ce-<category>` projections work. */
export const eventWebhookStream = (webhookId: string) => `eventwebhook-${webhookId}`;
