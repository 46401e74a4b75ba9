import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createEventCodec } from '../../../src/commands/event-codec.ts';
import type { RecordedEvent } from '../../../src/eventstore/port.ts';
import type { PersonalDataKeys } from '../../../src/privacy/personal-data-keys.ts';
import { CompensationStack } from '../../../src/workflows/publishing/compensations.ts';
import { publishingReactions } from '../../../src/workflows/publishing/reactions.ts';
import { NOW } from '../fixtures/harness.ts';

/** Content events carry no personal data: the codec never asks for a key. */
const noKeys: PersonalDataKeys = {
  keyFor: () => Promise.reject(new Error('no personal data here')),
  find: () => Promise.resolve(null),
  destroy: () => Promise.reject(new Error('no personal data here')),
};
const codec = createEventCodec(noKeys);
const correlationId = randomUUID();

const recorded = (type: string, data: unknown): RecordedEvent => ({
  streamName: `content-${randomUUID()}`,
  revision: 7n,
  position: 4321n,
  id: randomUUID(),
  type,
  data,
  metadata: {
    commandId: correlationId,
    correlationId,
    causationId: correlationId,
    actor: `user:${randomUUID()}`,
    occurredAt: NOW.toISOString(),
    schemaVersion: 1,
  },
  hash: '',
  createdAt: NOW,
});

describe('publishing reactions', () => {
  const [publishing] = publishingReactions({
    taskQueue: 'sagas-queue',
    settings: { delivery: { maximumAttempts: 2 } },
  });
  const contentId = randomUUID();
  const publicationId = randomUUID();

  it('start one saga per publication, its id derived from the content and the publication', async () => {
    const event = recorded('ContentPublishRequested', {
      contentId,
      publicationId,
      version: 2,
      requestedBy: randomUUID(),
      publishAt: '2024-11-24T09:00:00.000Z',
      channels: [{ channelId: randomUUID(), kind: 'feed' }],
    });
    expect(await publishing?.actionsFor(event, codec)).toEqual([
      {
        kind: 'start',
        workflowType: 'publishContent',
        workflowId: `publishing-${contentId}-${publicationId}`,
        taskQueue: 'sagas-queue',
        args: [
          {
            contentId,
            publicationId,
            publishAt: '2024-11-24T09:00:00.000Z',
            causationId: event.id,
            correlationId,
            settings: { delivery: { maximumAttempts: 2 } },
          },
        ],
      },
    ]);
  });

  it('signal a cancel to that saga with the id of the event, so a repeat is ignored', async () => {
    const event = recorded('ContentPublishCancelled', {
      contentId,
      publicationId,
      cancelledBy: randomUUID(),
    });
    expect(await publishing?.actionsFor(event, codec)).toEqual([
      {
        kind: 'signal',
        workflowId: `publishing-${contentId}-${publicationId}`,
        signal: 'cancelPublication',
        args: [{ eventId: event.id }],
      },
    ]);
  });

  it('start one unpublishing saga per ContentUnpublished event', async () => {
    const event = recorded('ContentUnpublished', { contentId, unpublishedBy: randomUUID(), reason: null });
    expect(await publishing?.actionsFor(event, codec)).toEqual([
      {
        kind: 'start',
        workflowType: 'unpublishContent',
        workflowId: `unpublishing-${contentId}-${event.id}`,
        taskQueue: 'sagas-queue',
        args: [
          { contentId, eventId: event.id, correlationId, settings: { delivery: { maximumAttempts: 2 } } },
        ],
      },
    ]);
  });

  it('ignore the rest of the content events', async () => {
    expect(
      await publishing?.actionsFor(recorded('ContentApproved', { contentId, version: 1 }), codec),
    ).toEqual([]);
  });
});

describe('the compensation stack', () => {
  it('undoes last first, runs every compensation even after one fails, and returns the failures', async () => {
    const undone: string[] = [];
    const stack = new CompensationStack();
    stack.push('revert metadata', async () => {
      undone.push('metadata');
    });
    stack.push('unpublish webhook', async () => {
      undone.push('webhook');
      throw new Error('Webhook answered 500');
    });
    stack.push('unpublish feed', async () => {
      undone.push('feed');
    });
    expect(await stack.unwind()).toEqual([{ name: 'unpublish webhook', error: 'Webhook answered 500' }]);
    expect(undone).toEqual(['feed', 'webhook', 'metadata']);
    expect(stack.size).toBe(0);
    expect(await stack.unwind()).toEqual([]);
  });
});
