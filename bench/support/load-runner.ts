/**
 * The load generator, run as its own process so it does not share the server's event loop (or its
 * CPU accounting). Input: one JSON argument; output: one JSON line with the figures.
 */
import autocannon from 'autocannon';
import { z } from 'zod';

const input = z.object({
  url: z.url(),
  seconds: z.number().positive(),
  connections: z.number().int().positive(),
  body: z.string(),
  /** One Authorization header per connection (round-robin), so writers do not share a stream. */
  tokens: z.array(z.string()).default([]),
});

const options = input.parse(JSON.parse(process.argv[2] ?? '{}'));
let next = 0;
const result = await autocannon({
  url: options.url,
  method: 'POST',
  duration: options.seconds,
  connections: options.connections,
  headers: { 'content-type': 'application/json' },
  body: options.body,
  setupClient(client) {
    const token = options.tokens[next++ % Math.max(1, options.tokens.length)];
    if (token) client.setHeaders({ 'content-type': 'application/json', authorization: `Bearer ${token}` });
  },
});
process.stdout.write(
  `${JSON.stringify({
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors,
    non2xx: result.non2xx,
    total: result.requests.total,
  })}\n`,
);
