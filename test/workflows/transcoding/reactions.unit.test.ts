import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createEventCodec } from '../../../src/commands/event-codec.ts';
import type { RecordedEvent } from '../../../src/eventstore/port.ts';
import type { PersonalDataKeys } from '../../../src/privacy/personal-data-keys.ts';
import { transcodingReactions } from '../../../src/workflows/transcoding/reactions.ts';

/** Media events carry no personal data: the codec never asks for a key. */
const noKeys: PersonalDataKeys = {
  keyFor: () => Promise.reject(new Error('no personal data here')),
  find: () => Promise.resolve(null),
  destroy: () => Promise.reject(new Error('no personal data here')),
};
const codec = createEventCodec(noKeys);
const NOW = new Date('2024-11-23T10:00:00.000Z');

const recorded = (type: string, data: unknown, correlationId: string = randomUUID()): RecordedEvent => ({
  streamName: `media-${randomUUID()}`,
  revision: 1n,
  position: 42n,
  id: randomUUID(),
  type,
  data,
  metadata: {
    commandId: randomUUID(),
    correlationId,
    causationId: randomUUID(),
    actor: 'system:uploads',
    occurredAt: NOW.toISOString(),
    schemaVersion: 1,
  },
  hash: '',
  createdAt: NOW,
});

describe('the transcoding reactions', () => {
  const [transcoding] = transcodingReactions({ taskQueue: 'sagas' });

  it('start one saga per asset on MediaUploaded, caused by that event', async () => {
    const assetId = randomUUID();
    const event = recorded(
      'MediaUploaded',
      {
        assetId,
        storageKey: `media/${assetId}/original/x`,
        size: 10,
        sha256: 'a'.repeat(64),
        detectedContentType: 'video/mp4',
      },
      'request-1',
    );
    expect(await transcoding?.actionsFor(event, codec)).toEqual([
      {
        kind: 'start',
        workflowType: 'transcodeMedia',
        workflowId: `transcoding-${assetId}`,
        taskQueue: 'sagas',
        args: [{ assetId, causationId: event.id, correlationId: 'request-1' }],
      },
    ]);
  });

  it('signal deleteMedia to the asset saga on MediaDeleted, and start the purge of what a finished saga left', async () => {
    const assetId = randomUUID();
    const event = recorded('MediaDeleted', { assetId, deletedBy: randomUUID() });
    expect(await transcoding?.actionsFor(event, codec)).toEqual([
      {
        kind: 'signal',
        workflowId: `transcoding-${assetId}`,
        signal: 'deleteMedia',
        args: [{ eventId: event.id }],
      },
      {
        kind: 'start',
        workflowType: 'purgeMediaOutputs',
        workflowId: `media-purge-${assetId}`,
        taskQueue: 'sagas',
        args: [{ assetId }],
      },
    ]);
  });

  it('ignore the other media events', async () => {
    expect(
      await transcoding?.actionsFor(recorded('MediaProcessingStarted', { assetId: randomUUID() }), codec),
    ).toEqual([]);
  });
});
