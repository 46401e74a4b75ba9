import { randomUUID } from 'node:crypto';
import { z } from 'zod';

const reply = z.object({
  data: z.record(z.string(), z.unknown()).nullable(),
  errors: z.unknown().optional(),
});

/**
 * GraphQL over HTTP as the benchmarks' clients send it: the `data` of an answer, or a throw when it
 * carries errors (a benchmark that measures refusals would measure nothing).
 */
export function graphqlClient(baseUrl: string) {
  return async (query: string, variables: Record<string, unknown> = {}, token?: string) => {
    const response = await fetch(`${baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    const parsed = reply.parse(await response.json());
    if (parsed.errors) throw new Error(`bench request failed: ${JSON.stringify(parsed.errors)}`);
    return parsed.data ?? {};
  };
}

/** The metadata of an event a benchmark seeds straight into the store, as the bench's own command. */
export function benchEventMetadata(occurredAt: Date = new Date()) {
  const id = randomUUID();
  return {
    commandId: id,
    correlationId: id,
    causationId: id,
    actor: 'system:bench',
    occurredAt: occurredAt.toISOString(),
  };
}
