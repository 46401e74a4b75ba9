import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { eventId } from '../../src/commands/event-ids.ts';
import { handleCommand } from '../../src/commands/handle-command.ts';
import { loadAggregate } from '../../src/commands/load-aggregate.ts';
import type { CommandEnvelope } from '../../src/commands/types.ts';
import type { Actor } from '../../src/domain/shared/decider.ts';
import { DomainError } from '../../src/domain/shared/domain-error.ts';
import { StreamNotFound } from '../../src/eventstore/errors.ts';
import { type CounterCommand, counter } from './fixtures/counter.ts';
import { type Pipeline, startPipeline } from './fixtures/pipeline.ts';

const NOW = new Date('2024-11-23T10:00:00.000Z');
const ADA: Actor = { kind: 'user', userId: 'ada', role: 'user' };

describe('handleCommand', () => {
  let pipeline: Pipeline;
  beforeAll(async () => {
    pipeline = await startPipeline('commands');
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });
  afterAll(async () => {
    await pipeline.close();
  });

  const newStream = () => `counter-${randomUUID()}`;
  const envelope = (
    command: CounterCommand,
    extra: Partial<CommandEnvelope<CounterCommand>> = {},
  ): CommandEnvelope<CounterCommand> => ({
    commandId: randomUUID(),
    actor: ADA,
    now: NOW,
    command,
    ...extra,
  });
  const handle = (stream: string, command: CommandEnvelope<CounterCommand>, maxAttempts?: number) =>
    handleCommand(pipeline, counter, stream, command, { maxAttempts });
  const counterValue = async (stream: string) => (await loadAggregate(pipeline, counter, stream)).state.value;

  it('appends the decided events with ids derived from the command and full metadata', async () => {
    const stream = newStream();
    const command = envelope(
      { type: 'IncrementTwice', by: 3 },
      { correlationId: randomUUID(), causationId: randomUUID() },
    );

    const result = await handle(stream, command);

    const recorded = await pipeline.store.readStream(stream);
    expect(recorded.map((event) => [event.id, event.type, event.data])).toEqual([
      [eventId(command.commandId, stream, 0), 'Incremented', { by: 3 }],
      [eventId(command.commandId, stream, 1), 'Incremented', { by: 3 }],
    ]);
    for (const event of recorded) {
      expect(event.metadata).toEqual({
        commandId: command.commandId,
        correlationId: command.correlationId,
        causationId: command.causationId,
        actor: 'user:ada',
        occurredAt: '2024-11-23T10:00:00.000Z',
        schemaVersion: 1,
      });
    }
    expect(result).toEqual({
      stream,
      streamRevision: 1n,
      position: recorded[1]?.position,
      events: [
        { type: 'Incremented', data: { by: 3 } },
        { type: 'Incremented', data: { by: 3 } },
      ],
      replayed: false,
    });
  });

  it('uses the command id as correlation and causation id when none is given', async () => {
    const stream = newStream();
    const command = envelope({ type: 'Increment', by: 1 });
    await handle(stream, command);
    const [event] = await pipeline.store.readStream(stream);
    expect(event?.metadata).toMatchObject({
      correlationId: command.commandId,
      causationId: command.commandId,
    });
  });

  it('appends nothing when the decider rejects the command, and passes its DomainError on', async () => {
    const stream = newStream();
    await handle(stream, envelope({ type: 'Increment', by: 2 }));

    const rejected = handle(stream, envelope({ type: 'Decrement', by: 5 }));

    await expect(rejected).rejects.toBeInstanceOf(DomainError);
    await expect(rejected).rejects.toMatchObject({ code: 'CONFLICT', reason: 'BELOW_ZERO' });
    expect(await pipeline.store.readStream(stream)).toHaveLength(1);
  });

  it('appends nothing when there is nothing to do', async () => {
    const empty = newStream();
    await expect(handle(empty, envelope({ type: 'Increment', by: 0 }))).resolves.toEqual({
      stream: empty,
      streamRevision: null,
      position: null,
      events: [],
      replayed: false,
    });
    await expect(pipeline.store.readStream(empty)).rejects.toBeInstanceOf(StreamNotFound);

    const stream = newStream();
    const first = await handle(stream, envelope({ type: 'Increment', by: 1 }));
    await expect(handle(stream, envelope({ type: 'Increment', by: 0 }))).resolves.toMatchObject({
      streamRevision: 0n,
      position: first.position,
      events: [],
    });
  });

  it('replays a command it has already handled: nothing new is appended, the same position is returned', async () => {
    const stream = newStream();
    const command = envelope({ type: 'IncrementTwice', by: 5 });
    const first = await handle(stream, command);
    await handle(stream, envelope({ type: 'Increment', by: 1 }));

    const again = await handle(stream, command);

    expect(again).toEqual({
      stream,
      streamRevision: 2n,
      position: first.position,
      events: first.events,
      replayed: true,
    });
    expect(await pipeline.store.readStream(stream)).toHaveLength(3);
  });

  it('replays without deciding again, even when the decider would now reject the command', async () => {
    const stream = newStream();
    await handle(stream, envelope({ type: 'Increment', by: 5 }));
    const take = envelope({ type: 'Decrement', by: 5 });
    const first = await handle(stream, take);

    await expect(handle(stream, take)).resolves.toMatchObject({ replayed: true, position: first.position });
  });

  it('lets concurrent commands on one stream all succeed by retrying on fresh state', async () => {
    const stream = newStream();
    // Ten writers on one stream at the same instant is far hotter than a real aggregate gets: the
    // default 5 attempts let all through almost always, 10 make the spec deterministic in practice.
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => handle(stream, envelope({ type: 'Increment', by: i + 1 }), 10)),
    );

    expect(results.every((result) => !result.replayed)).toBe(true);
    const recorded = await pipeline.store.readStream(stream);
    expect(recorded.map((event) => event.revision)).toEqual([0n, 1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n, 9n]);
    expect(await counterValue(stream)).toBe(55);
    expect(new Set(results.map((result) => result.streamRevision)).size).toBe(10);
  });

  /** Another writer appends to `stream` right after each of the next `times` reads of it. */
  const interleaveWrites = (stream: string, times: number) => {
    const read = pipeline.store.readStream.bind(pipeline.store);
    let remaining = times;
    vi.spyOn(pipeline.store, 'readStream').mockImplementation(async (name, options) => {
      const events = read(name, options);
      // Settle the read first: it may fail with StreamNotFound, and the write must still happen.
      await events.catch(() => undefined);
      if (name === stream && remaining-- > 0) {
        await handleCommand(pipeline, counter, stream, envelope({ type: 'Increment', by: 1 }));
      }
      return events;
    });
  };

  it('re-reads and decides again after each concurrent write, within its attempts', async () => {
    const stream = newStream();
    await handle(stream, envelope({ type: 'Increment', by: 1 }));
    interleaveWrites(stream, 2);

    const result = await handle(stream, envelope({ type: 'Increment', by: 10 }), 3);

    expect(result).toMatchObject({ streamRevision: 3n, replayed: false });
    expect(await counterValue(stream)).toBe(13);
  });

  it('gives up with CONFLICT / CONCURRENCY when the stream keeps changing', async () => {
    const stream = newStream();
    interleaveWrites(stream, 1);

    await expect(handle(stream, envelope({ type: 'Increment', by: 10 }), 1)).rejects.toMatchObject({
      code: 'CONFLICT',
      reason: 'CONCURRENCY',
    });
    expect(await counterValue(stream)).toBe(1);
  });

  it('ignores events of types the aggregate does not know', async () => {
    const stream = newStream();
    await handle(stream, envelope({ type: 'Increment', by: 2 }));
    await pipeline.store.append(stream, [{ id: randomUUID(), type: 'SomethingElse', data: { by: 100 } }]);

    await expect(handle(stream, envelope({ type: 'Decrement', by: 3 }))).rejects.toMatchObject({
      reason: 'BELOW_ZERO',
    });
    const result = await handle(stream, envelope({ type: 'Decrement', by: 2 }));
    expect(result.streamRevision).toBe(2n);
  });
});
