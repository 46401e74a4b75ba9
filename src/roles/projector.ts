import { AnchoringLoop, anchoringSettings } from '../audit/anchoring-loop.ts';
import { SnapshotLoop } from '../audit/snapshot-loop.ts';
import { postgresSnapshotStore } from '../audit/snapshots.ts';
import { type Config, ConfigError } from '../config.ts';
import type { Logger } from '../logger.ts';
import { Projector } from '../projections/projector.ts';
import { Lifecycle } from './lifecycle.ts';
import { openRuntime, type Runtime } from './runtime.ts';

/** A projector for every registered projection on the runtime's database and event store. */
export function createProjector(runtime: Runtime, log: Logger): Projector {
  const { store, pool, bus, projections } = runtime;
  return new Projector({ store, pool, bus, log: log.child({ component: 'projector' }) }, projections);
}

/** Audit anchors, appended by the projector role (see src/audit/anchoring-loop.ts). */
export function createAnchoringLoop(runtime: Runtime, config: Config, log: Logger): AnchoringLoop {
  return new AnchoringLoop(
    runtime.store,
    anchoringSettings(config),
    log.child({ component: 'audit-anchoring' }),
  );
}

/** Audit snapshots of long streams, kept in the background (see src/audit/snapshot-loop.ts). */
export function createSnapshotLoop(runtime: Runtime, log: Logger): SnapshotLoop {
  const { pool, store, codec, keys } = runtime;
  const component = log.child({ component: 'audit-snapshots' });
  return new SnapshotLoop(
    pool,
    { store, codec, keys, log: component, snapshots: postgresSnapshotStore(pool) },
    component,
  );
}

/** `chronicle projector`: the projector alone, against DATABASE_URL. */
export async function runProjector(config: Config, log: Logger): Promise<number> {
  const databaseUrl = config.DATABASE_URL;
  if (!databaseUrl)
    throw new ConfigError([{ variable: 'DATABASE_URL', message: 'is required for the projector role' }]);
  const lifecycle = new Lifecycle(log);
  lifecycle.handleSignals();
  try {
    const runtime = await openRuntime(config, log, databaseUrl);
    await lifecycle.own('runtime', runtime.close);
    // Owned before it starts, so a signal during start-up stops it (before the runtime closes).
    const projector = createProjector(runtime, log);
    await lifecycle.own('projector', () => projector.stop());
    await projector.start();
    const anchoring = createAnchoringLoop(runtime, config, log);
    await lifecycle.own('audit-anchoring', () => anchoring.stop());
    anchoring.start();
    const snapshots = createSnapshotLoop(runtime, log);
    await lifecycle.own('audit-snapshots', () => snapshots.stop());
    snapshots.start();
  } catch (error) {
    const interrupted = lifecycle.isStopping;
    await lifecycle.shutdown();
    // A failure caused by our own shutdown (a signal during start-up) is not worth reporting.
    if (interrupted) return 0;
    log.error({ err: error }, 'projector failed to start');
    return 1;
  }
  await lifecycle.stopped;
  return 0;
}
