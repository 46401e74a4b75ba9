import { AnchoringLoop, anchoringSettings } from '../audit/anchoring-loop.ts';
import type { AnchorSigner } from '../audit/anchors.ts';
import {
  fileRootPublisher,
  RootPublication,
  type RootPublisher,
  webhookRootPublisher,
} from '../audit/root-publication.ts';
import { loadAnchorSigner, SigningKeyError } from '../audit/signing-key.ts';
import { SnapshotLoop } from '../audit/snapshot-loop.ts';
import { postgresSnapshotStore, snapshotMacKey } from '../audit/snapshots.ts';
import { resolveAuthSecret } from '../auth/auth-secret.ts';
import { type Config, ConfigError } from '../config.ts';
import type { Logger } from '../logger.ts';
import { outboundPolicy } from '../net/outbound-policy.ts';
import { Projector } from '../projections/projector.ts';
import { Lifecycle } from './lifecycle.ts';
import { openRuntime, type Runtime } from './runtime.ts';

/**
 * A projector for the registered projections on the runtime's database and event store: all of
 * them, or those named in `only` (unknown names are a usage error, reported before anything runs).
 */
export function createProjector(runtime: Runtime, log: Logger, only?: readonly string[]): Projector {
  const { store, pool, bus, projections } = runtime;
  return new Projector(
    { store, pool, bus, log: log.child({ component: 'projector' }) },
    only ? selectProjections(projections, only) : projections,
  );
}

function selectProjections(projections: Runtime['projections'], only: readonly string[]) {
  const known = new Set(projections.map((p) => p.name));
  const unknown = only.filter((name) => !known.has(name));
  if (unknown.length > 0 || only.length === 0) {
    throw new ConfigError([
      {
        variable: '--only',
        message: `names unknown projections (${unknown.join(', ') || 'none given'}); known: ${[...known].join(', ')}`,
      },
    ]);
  }
  return projections.filter((p) => only.includes(p.name));
}

/**
 * Audit anchors, appended by the projector role (see src/audit/anchoring-loop.ts), signed when
 * AUDIT_SIGNING_KEY_FILE names a key and published where AUDIT_PUBLISH_* say. A key that cannot be
 * read stops the start: anchoring unsigned when signing was asked for would go unnoticed.
 */
export async function createAnchoringLoop(
  runtime: Runtime,
  config: Config,
  log: Logger,
): Promise<AnchoringLoop> {
  const component = log.child({ component: 'audit-anchoring' });
  let signer: AnchorSigner | undefined;
  if (config.AUDIT_SIGNING_KEY_FILE) {
    try {
      signer = await loadAnchorSigner(config.AUDIT_SIGNING_KEY_FILE);
    } catch (error) {
      if (!(error instanceof SigningKeyError)) throw error;
      throw new ConfigError([{ variable: 'AUDIT_SIGNING_KEY_FILE', message: error.message }]);
    }
  }
  const publishers: RootPublisher[] = [];
  if (config.AUDIT_PUBLISH_FILE) publishers.push(fileRootPublisher(config.AUDIT_PUBLISH_FILE));
  if (config.AUDIT_PUBLISH_WEBHOOK_URL)
    publishers.push(
      webhookRootPublisher(config.AUDIT_PUBLISH_WEBHOOK_URL, outboundPolicy(config.OUTBOUND_ALLOW_INTERNAL)),
    );
  const publication = new RootPublication(runtime.pool, runtime.store, publishers, component);
  return new AnchoringLoop(runtime.store, anchoringSettings(config), component, { signer, publication });
}

/**
 * Audit snapshots of long streams, kept in the background (see src/audit/snapshot-loop.ts). Their
 * MAC key comes from AUTH_SECRET, as the API's does: both must have the same one.
 */
export async function createSnapshotLoop(
  runtime: Runtime,
  config: Config,
  log: Logger,
): Promise<SnapshotLoop> {
  const { pool, store, codec, keys } = runtime;
  const component = log.child({ component: 'audit-snapshots' });
  const macKey = snapshotMacKey(await resolveAuthSecret(config, config.DATA_DIR));
  return new SnapshotLoop(
    pool,
    { store, codec, keys, log: component, snapshots: postgresSnapshotStore(pool, macKey) },
    component,
  );
}

/**
 * `chronicle projector [--only a,b]`: the projector alone, against DATABASE_URL. Several processes
 * may run side by side: each batch locks its projection's state row, so disjoint `--only` sets
 * work in parallel and overlapping ones take turns. Every process also runs the audit loops
 * (anchors are appended once per range whoever writes them; snapshots are idempotent).
 */
export async function runProjector(
  config: Config,
  log: Logger,
  options: { only?: readonly string[] | undefined } = {},
): Promise<number> {
  const databaseUrl = config.DATABASE_URL;
  if (!databaseUrl)
    throw new ConfigError([{ variable: 'DATABASE_URL', message: 'is required for the projector role' }]);
  const lifecycle = new Lifecycle(log);
  lifecycle.handleSignals();
  try {
    const runtime = await openRuntime(config, log, databaseUrl);
    await lifecycle.own('runtime', runtime.close);
    // Owned before it starts, so a signal during start-up stops it (before the runtime closes).
    const projector = createProjector(runtime, log, options.only);
    await lifecycle.own('projector', () => projector.stop());
    await projector.start();
    const anchoring = await createAnchoringLoop(runtime, config, log);
    await lifecycle.own('audit-anchoring', () => anchoring.stop());
    anchoring.start();
    const snapshots = await createSnapshotLoop(runtime, config, log);
    await lifecycle.own('audit-snapshots', () => snapshots.stop());
    snapshots.start();
  } catch (error) {
    const interrupted = lifecycle.isStopping;
    await lifecycle.shutdown();
    // A failure caused by our own shutdown (a signal during start-up) is not worth reporting.
    if (interrupted) return 0;
    if (error instanceof ConfigError) throw error; // the CLI reports it and exits 2
    log.error({ err: error }, 'projector failed to start');
    return 1;
  }
  await lifecycle.stopped;
  return 0;
}
