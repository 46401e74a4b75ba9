import { type Config, ConfigError } from '../config.ts';
import type { Logger } from '../logger.ts';
import { Lifecycle } from './lifecycle.ts';
import { openRuntime } from './runtime.ts';
import { serveApi } from './serve-api.ts';

/** `chronicle api`: the API alone, against services that run elsewhere (docker compose, a cluster). */
export async function runApi(config: Config, log: Logger): Promise<number> {
  const { DATABASE_URL: databaseUrl, TEMPORAL_ADDRESS: temporalAddress } = config;
  if (!databaseUrl || !temporalAddress) {
    throw new ConfigError([
      ...(databaseUrl ? [] : [{ variable: 'DATABASE_URL', message: 'is required for the api role' }]),
      ...(temporalAddress ? [] : [{ variable: 'TEMPORAL_ADDRESS', message: 'is required for the api role' }]),
    ]);
  }
  const lifecycle = new Lifecycle(log);
  lifecycle.handleSignals();
  try {
    const runtime = await openRuntime(config, log, databaseUrl);
    await lifecycle.own('runtime', runtime.close);
    const api = await serveApi({ config, log, runtime, temporalAddress, host: '0.0.0.0' });
    await lifecycle.own('api', api.close);
    log.info({ url: api.url }, 'API listening');
  } catch (error) {
    log.error({ err: error }, 'API failed to start');
    await lifecycle.shutdown();
    return 1;
  }
  await lifecycle.stopped;
  return 0;
}
