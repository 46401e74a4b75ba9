import path from 'node:path';
import { type Config, ConfigError } from '../config.ts';
import { locateMailpit, startMailpit } from '../infra/mailpit.ts';
import { migrate } from '../infra/migrate.ts';
import { startTemporalDevServer } from '../infra/temporal-dev-server.ts';
import type { Logger } from '../logger.ts';
import { ensureDataDir } from './data-dir.ts';
import { acquireDevLock, OperatorError } from './dev-lock.ts';
import { startEmbeddedDatabase } from './embedded-database.ts';
import { Lifecycle } from './lifecycle.ts';
import { createAnchoringLoop, createProjector, createSnapshotLoop } from './projector.ts';
import { openRuntime } from './runtime.ts';
import { serveApi } from './serve-api.ts';
import { startWorker } from './worker.ts';

export interface DevPorts {
  postgres: number;
  temporal: number;
  temporalUi: number;
  /** Mailpit's SMTP port and web UI (its own defaults). */
  mailSmtp?: number;
  mailUi?: number;
}

export const DEFAULT_DEV_PORTS: Required<DevPorts> = {
  postgres: 54329,
  temporal: 7233,
  temporalUi: 8233,
  mailSmtp: 1025,
  mailUi: 8025,
};

/**
 * `chronicle dev`: everything in one process tree. Embedded PostgreSQL and a Temporal dev server
 * start in parallel (each skipped when DATABASE_URL / TEMPORAL_ADDRESS point elsewhere), then
 * migrations, then the projector, the worker with its process manager, and the API. Ctrl-C stops
 * them in reverse order; a worker that dies stops everything (exit code 1).
 */
export async function runDev(config: Config, log: Logger, ports: DevPorts): Promise<number> {
  const lifecycle = new Lifecycle(log);
  lifecycle.handleSignals();
  let workerFailed = false;
  const onWorkerFailure = () => {
    workerFailed = true;
    void lifecycle.shutdown();
  };
  try {
    await ensureDataDir(config.DATA_DIR);
    // Before anything starts: a second `chronicle dev` on this directory must touch nothing.
    const devLock = await acquireDevLock(config.DATA_DIR);
    await lifecycle.own('data-dir-lock', devLock.release);
    // allSettled: when one fails, the other has still finished starting (and is owned) before we stop.
    const [database, temporalServer, mailServer] = await Promise.allSettled([
      databaseFor(config, ports, log, lifecycle),
      temporalFor(config, ports, log, lifecycle),
      mailFor(config, ports, log, lifecycle),
    ]);
    if (database.status === 'rejected') throw database.reason;
    if (temporalServer.status === 'rejected') throw temporalServer.reason;
    const databaseUrl = database.value;
    const temporal = temporalServer.value;
    // mailFor never rejects: without Mailpit the system runs with e-mail off.
    const mail = mailServer.status === 'fulfilled' ? mailServer.value : { smtpUrl: undefined };
    // The worker sends through the Mailpit started here unless SMTP_URL names a server.
    const runConfig: Config = mail.smtpUrl ? { ...config, SMTP_URL: mail.smtpUrl } : config;
    await devLock.record({ databaseUrl, temporalAddress: temporal.address });
    if (lifecycle.isStopping) return await stopped(lifecycle);
    await migrate(databaseUrl, log.child({ component: 'migrate' }));
    if (lifecycle.isStopping) return await stopped(lifecycle);
    const runtime = await openRuntime(runConfig, log, databaseUrl);
    await lifecycle.own('runtime', runtime.close);
    const projector = createProjector(runtime, log);
    await lifecycle.own('projector', () => projector.stop());
    await projector.start();
    const anchoring = await createAnchoringLoop(runtime, config, log);
    await lifecycle.own('audit-anchoring', () => anchoring.stop());
    anchoring.start();
    const snapshots = await createSnapshotLoop(runtime, config, log);
    await lifecycle.own('audit-snapshots', () => snapshots.stop());
    snapshots.start();
    if (lifecycle.isStopping) return await stopped(lifecycle);
    await startWorker(runtime, log, {
      config: runConfig,
      temporalAddress: temporal.address,
      lifecycle,
      onFailure: onWorkerFailure,
    });
    if (lifecycle.isStopping) return await stopped(lifecycle, workerFailed);
    const api = await serveApi({
      config: runConfig,
      log,
      runtime,
      temporalAddress: temporal.address,
      host: '127.0.0.1',
    });
    await lifecycle.own('api', api.close);
    await devLock.record({ apiUrl: api.url });
    if (!lifecycle.isStopping) {
      printBanner({
        apiUrl: api.url,
        // The embedded cluster's password is a fixed local one; never echo the password of a real server.
        databaseUrl: config.DATABASE_URL ? withoutPassword(databaseUrl) : databaseUrl,
        temporal,
        mail,
        dataDir: config.DATA_DIR,
      });
    }
  } catch (error) {
    const interrupted = lifecycle.isStopping;
    await lifecycle.shutdown();
    if (error instanceof ConfigError || error instanceof OperatorError) throw error;
    // A failure caused by our own shutdown (a child stopped mid-start) is not worth reporting.
    if (interrupted && !workerFailed) return 0;
    log.error({ err: error }, 'chronicle dev failed to start');
    return 1;
  }
  await lifecycle.stopped;
  return workerFailed ? 1 : 0;
}

async function stopped(lifecycle: Lifecycle, failed = false): Promise<number> {
  await lifecycle.stopped;
  return failed ? 1 : 0;
}

async function databaseFor(
  config: Config,
  ports: DevPorts,
  log: Logger,
  lifecycle: Lifecycle,
): Promise<string> {
  if (config.DATABASE_URL) return config.DATABASE_URL;
  const database = await startEmbeddedDatabase(config.DATA_DIR, ports.postgres, log);
  await lifecycle.own('postgres', database.server.stop);
  return database.url;
}

async function temporalFor(
  config: Config,
  ports: DevPorts,
  log: Logger,
  lifecycle: Lifecycle,
): Promise<{ address: string; uiUrl?: string }> {
  if (config.TEMPORAL_ADDRESS) return { address: config.TEMPORAL_ADDRESS };
  const server = await startTemporalDevServer({
    dataDir: config.DATA_DIR,
    port: ports.temporal,
    uiPort: ports.temporalUi,
    log: log.child({ component: 'temporal' }),
  });
  await lifecycle.own('temporal', server.stop);
  return server;
}

interface MailFacts {
  smtpUrl: string | undefined;
  uiUrl?: string;
  /** Why there is no Mailpit UI to show. */
  note?: string;
}

/**
 * Mailpit, so that a newcomer sees every e-mail the system sends in its web UI. Skipped when
 * SMTP_URL names a real server. Unlike PostgreSQL and Temporal it is not essential: when it is
 * not built or cannot start (its ports taken by another Mailpit, say), the system runs with
 * e-mail off and the banner says why.
 */
async function mailFor(
  config: Config,
  ports: DevPorts,
  log: Logger,
  lifecycle: Lifecycle,
): Promise<MailFacts> {
  if (config.SMTP_URL) return { smtpUrl: config.SMTP_URL, note: `(not started: SMTP_URL is set)` };
  const binary = locateMailpit();
  if (!binary) {
    log.warn('Mailpit is not built (run `node scripts/bootstrap.mjs`): e-mail is off');
    return { smtpUrl: undefined, note: '(not built: run `node scripts/bootstrap.mjs`; e-mail is off)' };
  }
  try {
    const mailpit = await startMailpit({
      binary,
      smtpPort: ports.mailSmtp ?? DEFAULT_DEV_PORTS.mailSmtp,
      httpPort: ports.mailUi ?? DEFAULT_DEV_PORTS.mailUi,
      // Kept across restarts, like the database: the e-mails of yesterday's session are still there.
      databaseFile: path.join(config.DATA_DIR, 'mailpit', 'mailpit.db'),
      log: log.child({ component: 'mailpit' }),
    });
    await lifecycle.own('mailpit', mailpit.stop);
    return { smtpUrl: mailpit.smtpUrl, uiUrl: mailpit.uiUrl.replace('127.0.0.1', 'localhost') };
  } catch (error) {
    log.warn({ err: error }, 'Mailpit did not start: e-mail is off');
    return { smtpUrl: undefined, note: '(did not start, see the log; e-mail is off)' };
  }
}

interface BannerFacts {
  apiUrl: string;
  databaseUrl: string;
  temporal: { address: string; uiUrl?: string };
  mail: MailFacts;
  dataDir: string;
}

function printBanner({ apiUrl, databaseUrl, temporal, mail, dataDir }: BannerFacts): void {
  const lines = [
    '',
    'Chronicle is running.',
    `  GraphiQL     ${apiUrl}/graphiql`,
    `  GraphQL      ${apiUrl}/graphql`,
    `  Readiness    ${apiUrl}/health/ready`,
    `  Metrics      ${apiUrl}/metrics`,
    `  Temporal UI  ${temporal.uiUrl ?? '(not started: TEMPORAL_ADDRESS is set)'}`,
    `  Temporal     ${temporal.address}`,
    `  Mail (Mailpit) ${mail.uiUrl ?? mail.note ?? ''}`,
    `  PostgreSQL   ${databaseUrl}`,
    `  Data         ${dataDir}`,
    'Press Ctrl-C to stop.',
    '',
  ];
  process.stdout.write(lines.join('\n'));
}

function withoutPassword(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  if (url.password) url.password = '***';
  return url.toString();
}
