import { expect } from 'vitest';
import type { GraphQLResponse, IdentityApp } from '../support/identity-app.ts';

export const WEBHOOK_FIELDS = `id url types streamPrefix startAfter status suspendedFor signingSecret
  lastHandledPosition lastDeliveredAt deadLetterCount createdAt updatedAt`;

export const CREATE_WEBHOOK = `mutation ($input: CreateEventWebhookInput!, $key: String) {
  createEventWebhook(input: $input, idempotencyKey: $key) { ${WEBHOOK_FIELDS} }
}`;
export const PAUSE_WEBHOOK = `mutation ($id: ID!) { pauseEventWebhook(id: $id) { id status } }`;
export const RESUME_WEBHOOK = `mutation ($id: ID!) { resumeEventWebhook(id: $id) { id status suspendedFor } }`;
export const REPLAY_WEBHOOK = `mutation ($id: ID!, $after: String!) { replayEventWebhook(id: $id, after: $after) { id status } }`;
export const DELETE_WEBHOOK = `mutation ($id: ID!) { deleteEventWebhook(id: $id) }`;
export const WEBHOOK = `query ($id: ID!) {
  eventWebhook(id: $id) {
    ${WEBHOOK_FIELDS}
    lag { events capped oldestOccurredAt }
    deadLetters(page: { first: 10 }) {
      totalCount
      nodes { position eventId eventType streamName attempts failure at }
      pageInfo { hasNextPage endCursor }
    }
  }
}`;
export const MY_WEBHOOKS = `query ($first: Int, $after: String) {
  myEventWebhooks(page: { first: $first, after: $after }) {
    totalCount
    nodes { id url status }
    pageInfo { hasNextPage endCursor }
  }
}`;

export interface WebhookView {
  id: string;
  url: string;
  types: string[];
  streamPrefix: string | null;
  startAfter: string;
  status: string;
  suspendedFor: string | null;
  signingSecret: string;
  lastHandledPosition: string | null;
  lastDeliveredAt: string | null;
  deadLetterCount: number;
}

export async function createWebhook(
  api: IdentityApp,
  token: string,
  input: { url: string; types: string[]; streamPrefix?: string; after?: string },
): Promise<WebhookView> {
  const response = await api.gql(CREATE_WEBHOOK, { input }, token);
  expect(response.errors).toBeUndefined();
  return response.data?.createEventWebhook as WebhookView;
}

/** `CODE/REASON` of the response's first error. */
export function refusal(response: GraphQLResponse): string {
  const [error] = response.errors ?? [];
  return `${error?.extensions?.code}/${error?.extensions?.reason}`;
}
