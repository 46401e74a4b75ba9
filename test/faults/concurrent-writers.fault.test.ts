import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { loadAggregate } from '../../src/commands/load-aggregate.ts';
import { contentAggregate } from '../../src/domain/content/content-decider.ts';
import type { Runtime } from '../../src/roles/runtime.ts';
import { commandIdFor } from '../../src/services/shared/command-context.ts';
import { freshDatabase } from '../support/database.ts';
import { openInspector } from './support/consistency.ts';
import {
  CONTENT_UPDATE_MUTATION,
  createContentOperation,
  type LoadWorld,
  postGraphQL,
  prepareWorld,
} from './support/load.ts';
import { settleAll } from './support/restartable-infra.ts';
import { type RunningSystem, startSystem } from './support/system.ts';

const WRITERS = 50;
/** Sends per writer, the first one included. */
const MAX_ATTEMPTS = 5;
const CONTENT_VERSION = `query ($id: ID!) { content(id: $id) { version title } }`;

interface Writer {
  index: number;
  idempotencyKey: string;
  commandId: string;
  title: string;
  /** The expectedVersion of each send, and what came back. */
  sends: { expectedVersion: number; outcome: string }[];
  acknowledged: boolean;
  /** The last error code, for a writer that never got through. */
  lastError?: string;
}

/**
 * 50 clients edit one article at once through the real API processes, each with
 * `expectedVersion` (optimistic concurrency at the client) and one idempotency key; a CONFLICT is
 * answered by retrying from the version the error names, a bounded number of times.
 */
describe('50 concurrent writers on one aggregate', () => {
  let system: RunningSystem | undefined;
  let inspector: Runtime | undefined;
  let world: LoadWorld;
  let contentId = '';

  beforeAll(async () => {
    const databaseUrl = await freshDatabase('faults_writers');
    system = await startSystem({
      databaseUrl,
      temporalAddress: inject('temporalAddress'),
      apiProcesses: 2,
      // Content edits start no saga: the worker adds nothing here.
      roles: ['api', 'projector'],
    });
    inspector = await openInspector(databaseUrl);
    world = await prepareWorld(system.apiUrls, databaseUrl);
    const created = await createContentOperation(world);
    expect(created.outcome).toBe('acknowledged');
    contentId = created.aggregateId ?? '';
  }, 90_000);

  afterAll(async () => {
    await settleAll([() => inspector?.close(), () => system?.stop()]);
  });

  async function write(writer: Writer, start: Promise<void>): Promise<Writer> {
    await start;
    let expectedVersion = 1;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const reply = await postGraphQL(
        world.pool.pick(),
        CONTENT_UPDATE_MUTATION,
        { id: contentId, input: { title: writer.title, expectedVersion }, key: writer.idempotencyKey },
        world.admin.accessToken,
      );
      const error = reply.errors?.[0]?.extensions;
      const code = error ? [error.code, error.reason].filter(Boolean).join('/') : 'OK';
      writer.sends.push({ expectedVersion, outcome: code });
      if (!error && reply.data?.updateContent) {
        writer.acknowledged = true;
        return writer;
      }
      writer.lastError = code;
      if (error?.code !== 'CONFLICT') return writer;
      // Start again from the version the refusal names (or, for CONCURRENCY, from the read model).
      if (typeof error.currentVersion === 'number') {
        expectedVersion = error.currentVersion;
      } else {
        const current = await postGraphQL(
          world.pool.pick(),
          CONTENT_VERSION,
          { id: contentId },
          world.admin.accessToken,
        );
        const content = current.data?.content as { version?: number } | null;
        expectedVersion = content?.version ?? expectedVersion;
      }
      await sleep(Math.random() * 20 * attempt);
    }
    return writer;
  }

  it('keeps every acknowledged edit exactly once, in a legal order; the rest got CONFLICT', async () => {
    if (!system || !inspector) throw new Error('set-up failed');
    const writers: Writer[] = Array.from({ length: WRITERS }, (_, index) => {
      const idempotencyKey = randomUUID();
      return {
        index,
        idempotencyKey,
        commandId: commandIdFor(
          { actor: world.admin.actor, correlationId: idempotencyKey },
          `updateContent:${contentId}`,
          { idempotencyKey },
        ),
        title: `Edit by writer ${index}`,
        sends: [],
        acknowledged: false,
      };
    });
    let go: () => void = () => undefined;
    const start = new Promise<void>((resolve) => {
      go = resolve;
    });
    const running = writers.map((writer) => write(writer, start));
    go();
    await Promise.all(running);

    const acknowledged = writers.filter((w) => w.acknowledged);
    const refused = writers.filter((w) => !w.acknowledged);
    const onRetry = acknowledged.filter((w) => w.sends.length > 1);
    console.log(
      `concurrent-writers: ${acknowledged.length} acknowledged (${onRetry.length} on a retry), ${refused.length} refused, ` +
        `${writers.reduce((n, w) => n + w.sends.length, 0)} sends; refusals ${JSON.stringify(
          Object.fromEntries(
            [...new Set(refused.map((w) => w.lastError))].map((code) => [
              code,
              refused.filter((w) => w.lastError === code).length,
            ]),
          ),
        )}`,
    );
    expect(acknowledged.length).toBeGreaterThan(0);
    // Whoever did not get through was told CONFLICT, never anything else.
    expect(refused.map((w) => w.lastError?.split('/')[0])).toEqual(refused.map(() => 'CONFLICT'));

    const stream = `content-${contentId}`;
    const history = await inspector.store.readStream(stream);
    const updates = history.filter((event) => event.type === 'ContentUpdated');
    // Revisions 0..n-1: no gap, no duplicate.
    expect(history.map((event) => event.revision)).toEqual(history.map((_, index) => BigInt(index)));
    // Each acknowledged edit exactly once, nothing from a refused writer.
    const byCommand = new Map<string, number>();
    for (const event of updates) {
      const commandId = String((event.metadata as { commandId?: unknown }).commandId);
      byCommand.set(commandId, (byCommand.get(commandId) ?? 0) + 1);
    }
    expect(acknowledged.map((w) => byCommand.get(w.commandId) ?? 0)).toEqual(acknowledged.map(() => 1));
    expect(refused.map((w) => byCommand.get(w.commandId) ?? 0)).toEqual(refused.map(() => 0));
    expect(updates).toHaveLength(acknowledged.length);

    // A legal order: versions 2, 3, ... one after another, and each edit was made on the version
    // its writer expected (optimistic concurrency means no edit lands on a version it did not see).
    const writerOf = new Map(writers.map((w) => [w.commandId, w]));
    const sequence = updates.map((event) => {
      const data = event.data as { version: number; title: string };
      const writer = writerOf.get(String((event.metadata as { commandId?: unknown }).commandId));
      return {
        version: data.version,
        title: data.title,
        writerTitle: writer?.title,
        expectedVersion: writer?.sends.at(-1)?.expectedVersion,
      };
    });
    expect(sequence.map((s) => s.version)).toEqual(sequence.map((_, index) => index + 2));
    expect(sequence.filter((s) => s.title !== s.writerTitle)).toEqual([]);
    expect(sequence.filter((s) => s.expectedVersion !== s.version - 1)).toEqual([]);

    // Folding the history with the aggregate's own evolve gives the last edit, at the last version.
    const folded = await loadAggregate(
      { store: inspector.store, codec: inspector.codec },
      contentAggregate,
      stream,
    );
    const state = folded.state as { status: string; version?: number; versions?: { title: string }[] };
    expect(state.version).toBe(updates.length + 1);
    expect(state.versions?.at(-1)?.title).toBe(sequence.at(-1)?.title);

    // The read model shows the same last version once the projector caught up.
    await vi.waitFor(
      async () => {
        const reply = await postGraphQL(
          world.pool.pick(),
          CONTENT_VERSION,
          { id: contentId },
          world.admin.accessToken,
        );
        expect(reply.data?.content).toEqual({ version: updates.length + 1, title: sequence.at(-1)?.title });
      },
      { timeout: 15_000, interval: 200 },
    );
  }, 60_000);
});
