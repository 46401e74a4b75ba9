import { createAiProvider } from '../../src/ai/create-ai-provider.ts';
import { buildApp } from '../../src/api/app.ts';
import type { Logger } from '../../src/logger.ts';
import { apiServices } from '../../src/roles/api-services.ts';
import type { Runtime } from '../../src/roles/runtime.ts';

type ServiceOptions = Parameters<typeof apiServices>[1];
type AppDeps = Parameters<typeof buildApp>[0];

/**
 * The API as the benchmarks run it: the production app on `runtime`, with the local AI provider
 * and the per-caller request and login limits lifted, since a benchmark measures Chronicle's work,
 * not its rate limiter.
 */
export function benchApp(
  runtime: Runtime,
  log: Logger,
  options: {
    authSecret: string;
    readYourWritesTimeoutMs: number;
    media?: ServiceOptions['media'];
    subscriptionLimits?: AppDeps['subscriptionLimits'];
  },
) {
  return buildApp({
    log,
    version: 'bench',
    readinessChecks: {},
    graphiql: false,
    limits: { requests: { max: 1e9 }, logins: { max: 1e9 } },
    ...(options.subscriptionLimits ? { subscriptionLimits: options.subscriptionLimits } : {}),
    services: apiServices(runtime, {
      log,
      authSecret: new TextEncoder().encode(options.authSecret),
      ai: createAiProvider({}),
      readYourWritesTimeoutMs: options.readYourWritesTimeoutMs,
      ...(options.media ? { media: options.media } : {}),
    }),
  });
}
