/**
 * Audit verification benchmark: `chronicle audit verify --all` (hash chains of every stream plus
 * every anchor recomputed) over a history of 20,000 events in 2,000 streams, one event per append,
 * interleaved as real traffic is; and the anchoring overhead: the same appends with and without
 * the anchoring loop running (AUDIT_ANCHOR_EVERY_EVENTS=1000), and the cost of one anchor.
 */
import { randomUUID } from 'node:crypto';
import { AnchoringLoop, anchorRound } from '../src/audit/anchoring-loop.ts';
import { listAnchors } from '../src/audit/anchors.ts';
import { verifyAll } from '../src/audit/verify.ts';
import type { EventStore } from '../src/eventstore/port.ts';
import { PostgresEventStore } from '../src/eventstore/postgres/postgres-event-store.ts';
import { createLogger } from '../src/logger.ts';
import { printMachine } from './support/machine.ts';
import { benchDatabase } from './support/postgres.ts';

const EVENTS = Number(process.env.BENCH_VERIFY_EVENTS ?? 20_000);
const STREAMS = Math.max(1, Math.floor(EVENTS / 10));
const CONCURRENCY = 8;
const log = createLogger('warn', { component: 'bench' });

function event(stream: string, n: number) {
  return {
    id: randomUUID(),
    type: 'ProfileChanged',
    data: { userId: stream, displayName: `Person ${n}`, bio: 'x'.repeat(120), n },
    metadata: {
      commandId: randomUUID(),
      correlationId: randomUUID(),
      causationId: randomUUID(),
      actor: `user:${stream}`,
      occurredAt: new Date().toISOString(),
      schemaVersion: 1,
    },
  };
}

/** Appends EVENTS events round-robin over STREAMS streams, one per append; returns seconds. */
async function seed(store: EventStore): Promise<number> {
  const streams = Array.from({ length: STREAMS }, () => `person-${randomUUID()}`);
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let i = next++; i < EVENTS; i = next++) {
        const stream = streams[i % STREAMS] ?? '';
        await store.append(stream, [event(stream, i)]);
      }
    }),
  );
  return (performance.now() - started) / 1000;
}

async function main() {
  printMachine({ events: String(EVENTS), streams: String(STREAMS) });
  const plain = await benchDatabase('audit_verify_plain');
  const anchored = await benchDatabase('audit_verify_anchored');
  const plainStore = new PostgresEventStore({ connectionString: plain.url, log });
  const store = new PostgresEventStore({ connectionString: anchored.url, log });
  try {
    const withoutLoop = await seed(plainStore);
    const loop = new AnchoringLoop(store, { everyEvents: 1000, everyMs: 600_000, pollMs: 1000 }, log);
    loop.start();
    const withLoop = await seed(store);
    await loop.stop();
    const byLoop = (await listAnchors(store)).length;

    // One anchor's cost on its own: read 1,000 events back, hash them, append.
    const anchorStarted = performance.now();
    const round = await anchorRound(
      store,
      { everyEvents: 1000, everyMs: 600_000 },
      { now: new Date(), force: true },
    );
    const tailMs = performance.now() - anchorStarted;
    const plainRound = performance.now();
    const plainAnchors = await anchorRound(
      plainStore,
      { everyEvents: 1000, everyMs: 600_000 },
      { now: new Date(), force: true },
    );
    const perAnchorMs = (performance.now() - plainRound) / Math.max(1, plainAnchors.written.length);

    const runs = [];
    for (let i = 0; i < 3; i++) runs.push(await verifyAll(store));
    const best = runs.reduce((a, b) => (a.durationMs < b.durationMs ? a : b));
    if (!best.ok) throw new Error(`verify found problems: ${best.findings.map((f) => f.message).join('; ')}`);

    const lines = {
      appendWithoutLoopPerSecond: Math.round(EVENTS / withoutLoop),
      appendWithLoopPerSecond: Math.round(EVENTS / withLoop),
      anchorsWrittenByLoop: byLoop,
      tailAnchorMs: Math.round(tailMs),
      tailAnchors: round.written.length,
      msPerAnchorOf1000Events: Math.round(perAnchorMs * 10) / 10,
      verifyEvents: best.streams.events,
      verifyStreams: best.streams.checked,
      verifyAnchors: best.anchors?.count,
      verifySeconds: Math.round(best.durationMs) / 1000,
      verifyEventsPerSecond: Math.round(best.streams.events / (best.durationMs / 1000)),
    };
    for (const [name, value] of Object.entries(lines)) console.log(`${name.padEnd(28)} ${value}`);
    console.log(JSON.stringify({ bench: 'audit-verify', ...lines }));
  } finally {
    await plainStore.close();
    await store.close();
    await plain.stop();
    await anchored.stop();
  }
}

await main();
