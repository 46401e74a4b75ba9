import { pino } from 'pino';
import { type IdentityApp, startIdentityApp } from '../api/support/identity-app.ts';

/** One pino line the API wrote (level 30 info, 40 warn, 50 error, 60 fatal). */
export interface LogLine {
  level: number;
  msg?: string;
  err?: { type?: string; message?: string; stack?: string };
  [field: string]: unknown;
}

export interface FuzzApp extends IdentityApp {
  /** Where the API listens on 127.0.0.1, e.g. `http://127.0.0.1:41234`. */
  origin: string;
  /** Every line the API logged at warn or above, parsed, in order. */
  logs: LogLine[];
  /** `POST /graphql` requests answered so far, by HTTP status code. */
  statuses: Map<number, number>;
}

/**
 * The full API with its projector on a fresh database (`startIdentityApp`), listening on a real
 * port (the fuzzer is another process), its log captured in memory so the test can look for
 * unhandled errors, and the status of every `/graphql` answer counted.
 */
export async function startFuzzApp(): Promise<FuzzApp> {
  const logs: LogLine[] = [];
  const log = pino(
    { level: 'warn', timestamp: pino.stdTimeFunctions.isoTime },
    { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) },
  );
  // The fuzzer sends every request from 127.0.0.1: rate limits would only answer 429.
  const api = await startIdentityApp({
    log,
    limits: { requests: { max: 1_000_000 }, logins: { max: 1_000_000 } },
  });
  const statuses = new Map<number, number>();
  api.app.addHook('onResponse', async (request, reply) => {
    if (request.url.startsWith('/graphql'))
      statuses.set(reply.statusCode, (statuses.get(reply.statusCode) ?? 0) + 1);
  });
  try {
    const origin = await api.app.listen({ host: '127.0.0.1', port: 0 });
    return { ...api, origin, logs, statuses };
  } catch (error) {
    await api.close();
    throw error;
  }
}
