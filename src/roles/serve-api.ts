import { collectDefaultMetrics, Registry } from 'prom-client';
import { createAiProvider } from '../ai/create-ai-provider.ts';
import { buildApp } from '../api/app.ts';
import { appendsCheck, postgresCheck, temporalCheck } from '../api/dependency-checks.ts';
import { packageVersion } from '../api/package-version.ts';
import { resolveAuthSecret } from '../auth/auth-secret.ts';
import { SigningKeyRing } from '../auth/signing-key-ring.ts';
import { relyingPartyFrom } from '../auth/webauthn.ts';
import { registerCommandMetrics } from '../commands/metrics.ts';
import { type Config, ConfigError } from '../config.ts';
import { appendLockState } from '../eventstore/postgres/append-lock.ts';
import { registerAppendLockMetrics } from '../eventstore/postgres/append-lock-metrics.ts';
import type { Logger } from '../logger.ts';
import { createTextModerator } from '../media/moderation/create-text-moderator.ts';
import { outboundPolicy } from '../net/outbound-policy.ts';
import { resolveVapidKeys } from '../notifications/push/vapid-keys.ts';
import { registerProjectionMetrics } from '../projections/metrics.ts';
import { projectionStatuses } from '../projections/status.ts';
import { createStorage } from '../storage/create-storage.ts';
import { createVideoRoomProvider } from '../video-rooms/create-video-rooms.ts';
import { apiServices } from './api-services.ts';
import type { Runtime } from './runtime.ts';

export interface ServeApiOptions {
  config: Config;
  log: Logger;
  runtime: Runtime;
  temporalAddress: string;
  host: string;
}

export interface RunningApi {
  url: string;
  close(): Promise<void>;
}

/** How long a mutation waits for the read models to show its change before answering. */
const READ_YOUR_WRITES_TIMEOUT_MS = 5_000;

/** Starts the API on `config.PORT`; `close()` drains in-flight requests (the runtime stays open). */
export async function serveApi(options: ServeApiOptions): Promise<RunningApi> {
  const { config, log, runtime, temporalAddress, host } = options;
  const { pool, store, projections } = runtime;
  const apiLog = log.child({ component: 'api' });
  const authSecret = await resolveAuthSecret(config, config.DATA_DIR);
  const accessTokens = new SigningKeyRing({
    pool,
    authSecret,
    log: apiLog,
    rotateAfterDays: config.KEY_ROTATION_DAYS,
  });
  await prepareSigningKeys(accessTokens, apiLog);
  const metrics = new Registry();
  collectDefaultMetrics({ register: metrics });
  registerProjectionMetrics(metrics, () => projectionStatuses(pool, store, projections));
  const embeddedStore = !config.EVENTSTORE_CONNECTION_STRING;
  if (embeddedStore) registerAppendLockMetrics(metrics, () => appendLockState(pool));
  const media = await createStorage(config, apiLog);
  const app = await buildApp({
    log: apiLog,
    version: packageVersion(),
    readinessChecks: {
      postgres: postgresCheck(pool),
      temporal: temporalCheck(temporalAddress),
      ...(embeddedStore ? { appends: appendsCheck(pool) } : {}),
    },
    graphiql: config.NODE_ENV !== 'production',
    introspection:
      (config.GRAPHQL_INTROSPECTION ?? (config.NODE_ENV === 'production' ? 'off' : 'on')) === 'on',
    limits: {
      requests: { max: config.API_RATE_LIMIT, windowMs: 60_000 },
      logins: { max: config.API_LOGIN_RATE_LIMIT, windowMs: 60_000 },
    },
    ...(config.REDIS_URL ? { redisUrl: config.REDIS_URL } : {}),
    ...(config.TRUST_PROXY !== undefined ? { trustProxy: config.TRUST_PROXY } : {}),
    // Production shows its metrics only to a scraper holding METRICS_TOKEN.
    ...(config.NODE_ENV !== 'production' || config.METRICS_TOKEN ? { metrics } : {}),
    ...(config.METRICS_TOKEN ? { metricsToken: config.METRICS_TOKEN } : {}),
    services: apiServices(runtime, {
      log: apiLog,
      authSecret,
      accessTokens,
      ai: createAiProvider(config),
      videoRooms: createVideoRoomProvider(config),
      textModerator: createTextModerator(config, {
        onFallback: (error) =>
          apiLog.warn({ err: error }, 'text moderation: OpenAI unavailable, local rules decided'),
      }),
      outbound: outboundPolicy(config.OUTBOUND_ALLOW_INTERNAL),
      webauthn: relyingPartyFrom(config),
      vapid: await resolveVapidKeys(config, config.DATA_DIR),
      pushHosts: config.PUSH_ALLOWED_HOSTS,
      readYourWritesTimeoutMs: READ_YOUR_WRITES_TIMEOUT_MS,
      observeCommand: registerCommandMetrics(metrics),
      media: {
        storage: media.storage,
        limits: {
          video: config.MEDIA_MAX_VIDEO_BYTES,
          image: config.MEDIA_MAX_IMAGE_BYTES,
          audio: config.MEDIA_MAX_AUDIO_BYTES,
          file: config.MEDIA_MAX_FILE_BYTES,
        },
      },
    }),
  });
  try {
    await app.listen({ port: config.PORT, host });
  } catch (error) {
    await app.close();
    media.close();
    throw error;
  }
  return {
    url: `http://localhost:${config.PORT}`,
    async close() {
      await app.close();
      media.close();
    },
  };
}

/**
 * Reads the signing keys (making the first one on a fresh database) before listening, so an
 * AUTH_SECRET that does not open them stops start-up instead of failing every sign-in. A database
 * that is not up yet is no reason to stay down: the keys are read on first use then.
 */
async function prepareSigningKeys(keys: SigningKeyRing, log: Logger): Promise<void> {
  try {
    await keys.signingKey(new Date());
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    log.warn({ err: error }, 'could not read the access-token signing keys yet; reading them on first use');
  }
}
