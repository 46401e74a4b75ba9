import { randomInt } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { GraphQLResponse } from '../support/identity-app.ts';

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: GraphQLResponse;
}

/** A GraphQL POST as a client at `ip` sends it: rate limits count per address, so tests pick theirs. */
export async function postGraphQL(
  app: FastifyInstance,
  payload: { query: string; variables?: Record<string, unknown> } | string,
  options: { ip?: string; token?: string; forwardedFor?: string } = {},
): Promise<HttpAnswer> {
  const response = await app.inject({
    method: 'POST',
    url: '/graphql',
    remoteAddress: options.ip ?? '127.0.0.1',
    headers: {
      'content-type': 'application/json',
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.forwardedFor ? { 'x-forwarded-for': options.forwardedFor } : {}),
    },
    payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
  });
  return { status: response.statusCode, headers: response.headers, body: response.json<GraphQLResponse>() };
}

/** An address no other test uses, so counters left in a shared Redis never interfere. */
export const someIp = () => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
