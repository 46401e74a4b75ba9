import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CommandObservation, handleCommand } from '../../src/commands/handle-command.ts';
import type { CommandEnvelope } from '../../src/commands/types.ts';
import { type CounterCommand, counter } from './fixtures/counter.ts';
import { type Pipeline, startPipeline } from './fixtures/pipeline.ts';

const NOW = new Date('2024-11-23T10:00:00.000Z');

describe('handleCommand tells its observer how each command went', () => {
  let pipeline: Pipeline;
  beforeAll(async () => {
    pipeline = await startPipeline('command-observer');
  });
  afterAll(async () => {
    await pipeline.close();
  });

  const envelope = (command: CounterCommand, commandId = randomUUID()): CommandEnvelope<CounterCommand> => ({
    commandId,
    actor: { kind: 'system', process: 'test' },
    now: NOW,
    command,
  });

  it('reports the command type, the outcome and the time taken, retries included', async () => {
    const observed: CommandObservation[] = [];
    const deps = { ...pipeline, observeCommand: (o: CommandObservation) => observed.push(o) };
    const stream = `counter-${randomUUID()}`;
    const increment = envelope({ type: 'Increment', by: 1 });

    await handleCommand(deps, counter, stream, increment);
    await handleCommand(deps, counter, stream, increment);
    await expect(
      handleCommand(deps, counter, stream, envelope({ type: 'Decrement', by: 5 })),
    ).rejects.toMatchObject({ code: 'CONFLICT' });

    expect(observed.map(({ commandType, outcome }) => [commandType, outcome])).toEqual([
      ['Increment', 'ok'],
      ['Increment', 'replayed'],
      ['Decrement', 'rejected'],
    ]);
    for (const { seconds } of observed) {
      expect(seconds).toBeGreaterThan(0);
      expect(seconds).toBeLessThan(30);
    }
  });
});
