import { describe, expect, it } from 'vitest';
import type { MediaCommand } from '../../../src/domain/media/media-commands.ts';
import { mediaAggregate, mediaDecider } from '../../../src/domain/media/media-decider.ts';
import { type MediaEvent, mediaEventCatalogue } from '../../../src/domain/media/media-events.ts';
import { mediaStream } from '../../../src/domain/media/streams.ts';
import { fold } from '../../../src/domain/shared/decider.ts';
import {
  ASSET_ID,
  allowed,
  manifest,
  owner,
  probeFacts,
  processingAsset,
  recordUpload,
  requestedAsset,
  requestVideo,
  saga,
  uploadedAsset,
  uploads,
} from './media-fixtures.ts';

/** A history, a command and who issues it: together, every event type the decider decides. */
const DECISIONS: [MediaEvent[], MediaCommand, typeof owner][] = [
  [[], requestVideo(), owner],
  [requestedAsset(), recordUpload(), uploads],
  [uploadedAsset(), { type: 'StartProcessing' }, saga],
  [processingAsset(), { type: 'RecordProgress', step: 'renditions', detail: '720p', percent: 50 }, saga],
  [processingAsset(), { type: 'RecordProbe', ...probeFacts }, saga],
  [processingAsset(), { type: 'RecordModeration', ...allowed }, saga],
  [processingAsset(), { type: 'MarkReady', manifest }, saga],
  [processingAsset(), { type: 'FailProcessing', stage: 'renditions', reason: 'ffmpeg exited with 1' }, saga],
  [processingAsset(), { type: 'DeleteMedia' }, owner],
];

describe('media events', () => {
  it('every event the decider decides passes its catalogue schema', () => {
    const decided = new Set<string>();
    for (const [history, command, context] of DECISIONS) {
      for (const event of mediaDecider.decide(command, fold(mediaDecider, history), context)) {
        decided.add(event.type);
        const definition = mediaEventCatalogue[event.type];
        expect(definition.schema.parse(event.data)).toEqual(event.data);
        expect(definition.schemaVersion).toBe(1);
      }
    }
    expect([...decided].sort()).toEqual(Object.keys(mediaEventCatalogue).sort());
  });

  it('never shows storage keys to integrators', () => {
    for (const definition of Object.values(mediaEventCatalogue)) {
      expect(definition.publicFields).toBeDefined();
      expect(definition.publicFields).not.toContain('storageKey');
      expect(definition.publicFields).not.toContain('manifest');
    }
    expect(mediaEventCatalogue.MediaUploaded.publicFields).toEqual([
      'assetId',
      'size',
      'sha256',
      'detectedContentType',
    ]);
  });

  it('lives in one stream per asset, shaped for $ce-media', () => {
    expect(mediaStream(ASSET_ID)).toBe(`media-${ASSET_ID}`);
    expect(mediaAggregate.decider).toBe(mediaDecider);
    expect(mediaAggregate.catalogue).toBe(mediaEventCatalogue);
  });
});
