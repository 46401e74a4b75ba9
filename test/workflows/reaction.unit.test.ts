import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createEventCodec } from '../../src/commands/event-codec.ts';
import type { RecordedEvent } from '../../src/eventstore/port.ts';
import type { PersonalDataKeys } from '../../src/privacy/personal-data-keys.ts';
import { defineReaction } from '../../src/workflows/process-manager/reaction.ts';
import { NOW } from './fixtures/harness.ts';
import { orderCatalogue } from './fixtures/order-events.ts';
import { orderReactions } from './fixtures/order-reactions.ts';

/** Order events carry no personal data: the codec never asks for a key. */
const noKeys: PersonalDataKeys = {
  keyFor: () => Promise.reject(new Error('no personal data here')),
  find: () => Promise.resolve(null),
  destroy: () => Promise.reject(new Error('no personal data here')),
};
const codec = createEventCodec(noKeys);

const recorded = (type: string, data: unknown): RecordedEvent => {
  const commandId = randomUUID();
  return {
    streamName: `order-${randomUUID()}`,
    revision: 3n,
    position: 1234n,
    id: randomUUID(),
    type,
    data,
    metadata: {
      commandId,
      correlationId: commandId,
      causationId: commandId,
      actor: 'system:test',
      occurredAt: NOW.toISOString(),
      schemaVersion: 1,
    },
    hash: '',
    createdAt: NOW,
  };
};

describe('reactions', () => {
  const [orders] = orderReactions('orders-queue');

  it('start a workflow whose id derives from the triggering event', async () => {
    const orderId = randomUUID();
    const event = recorded('OrderPlaced', { orderId, customer: 'ada' });
    expect(await orders?.actionsFor(event, codec)).toEqual([
      {
        kind: 'start',
        workflowType: 'orderSaga',
        workflowId: `order-${orderId}`,
        taskQueue: 'orders-queue',
        args: [{ orderId, customer: 'ada' }],
      },
    ]);
  });

  it('signal with the id of the stored event, so a workflow can ignore a repeat', async () => {
    const orderId = randomUUID();
    const event = recorded('OrderPaid', { orderId, amount: 7 });
    expect(await orders?.actionsFor(event, codec)).toEqual([
      {
        kind: 'signal',
        workflowId: `order-${orderId}`,
        signal: 'paid',
        args: [{ eventId: event.id, amount: 7 }],
      },
    ]);
  });

  it('ignore event types they do not handle', async () => {
    expect(await orders?.actionsFor(recorded('OrderRefunded', {}), codec)).toEqual([]);
  });

  it('refuse to handle a type their catalogue does not define', () => {
    expect(() =>
      defineReaction({
        name: 'typo',
        catalogue: orderCatalogue,
        // @ts-expect-error: the type system refuses it too; the check guards lists built at run time.
        eventTypes: ['OrderPlacd'],
        react: () => [],
      }),
    ).toThrow(/OrderPlacd/);
  });
});
