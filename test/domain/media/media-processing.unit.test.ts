import { describe, expect, it } from 'vitest';
import type { MediaSagaCommand } from '../../../src/domain/media/media-commands.ts';
import { mediaDecider } from '../../../src/domain/media/media-decider.ts';
import { fold } from '../../../src/domain/shared/decider.ts';
import { anIntegration, by } from '../support/actors.ts';
import { deciderSpec } from '../support/decider-spec.ts';
import {
  allowed,
  deletedAsset,
  failed,
  failedAsset,
  manifest,
  moderated,
  now,
  OWNER_ID,
  owner,
  probed,
  probeFacts,
  processingAsset,
  progressed,
  ready,
  readyAsset,
  rejected,
  rendition,
  requestedAsset,
  saga,
  started,
  uploadedAsset,
} from './media-fixtures.ts';

const spec = deciderSpec(mediaDecider);

/** One valid instance of every saga command. */
const SAGA_COMMANDS: { name: MediaSagaCommand['type']; command: MediaSagaCommand }[] = [
  { name: 'StartProcessing', command: { type: 'StartProcessing' } },
  { name: 'RecordProgress', command: { type: 'RecordProgress', step: 'probe', percent: 100 } },
  { name: 'RecordProbe', command: { type: 'RecordProbe', ...probeFacts } },
  { name: 'RecordModeration', command: { type: 'RecordModeration', ...allowed } },
  { name: 'MarkReady', command: { type: 'MarkReady', manifest } },
  { name: 'FailProcessing', command: { type: 'FailProcessing', stage: 'probe', reason: 'Not a media file' } },
];

describe('saga commands', () => {
  it.each(SAGA_COMMANDS)('$name is for the system only', ({ command }) => {
    spec.given(processingAsset()).when(command, owner).thenThrows('FORBIDDEN', 'SYSTEM_ONLY');
    spec
      .given(processingAsset())
      .when(command, by(anIntegration(OWNER_ID, ['graphql:write']), now))
      .thenThrows('FORBIDDEN', 'SYSTEM_ONLY');
  });

  it.each(SAGA_COMMANDS)('$name needs an asset', ({ command }) => {
    spec.given([]).when(command, saga).thenThrows('NOT_FOUND', 'MEDIA_NOT_FOUND');
  });

  it.each(SAGA_COMMANDS.filter(({ name }) => name === 'RecordProgress' || name === 'FailProcessing'))(
    '$name after deletion is dropped: the saga is winding down',
    ({ command }) => {
      spec.given(deletedAsset()).when(command, saga).thenNothing();
    },
  );

  it.each(SAGA_COMMANDS.filter(({ name }) => name !== 'RecordProgress' && name !== 'FailProcessing'))(
    '$name after deletion is refused',
    ({ command }) => {
      spec.given(deletedAsset()).when(command, saga).thenThrows('CONFLICT', 'MEDIA_DELETED');
    },
  );
});

describe('StartProcessing', () => {
  it('moves an uploaded asset to processing', () => {
    spec.given(uploadedAsset()).when({ type: 'StartProcessing' }, saga).then([started()]);
    expect(fold(mediaDecider, processingAsset())).toMatchObject({ status: 'processing' });
  });

  it('is idempotent, and changes nothing once processing has ended', () => {
    spec.given(processingAsset()).when({ type: 'StartProcessing' }, saga).thenNothing();
    spec.given(readyAsset()).when({ type: 'StartProcessing' }, saga).thenNothing();
    spec.given(failedAsset()).when({ type: 'StartProcessing' }, saga).thenNothing();
  });

  it('needs the upload first', () => {
    spec
      .given(requestedAsset())
      .when({ type: 'StartProcessing' }, saga)
      .thenThrows('CONFLICT', 'NOT_UPLOADED');
  });
});

describe('RecordProgress', () => {
  it('reports a step while processing', () => {
    spec
      .given(processingAsset())
      .when({ type: 'RecordProgress', step: 'renditions', detail: '720p', percent: 40 }, saga)
      .then([progressed('renditions', 40, '720p')]);
  });

  it('drops a repeat of the last report for the same step and detail', () => {
    const history = [...processingAsset(), progressed('renditions', 40, '720p')];
    spec
      .given(history)
      .when({ type: 'RecordProgress', step: 'renditions', detail: '720p', percent: 40 }, saga)
      .thenNothing();
    spec
      .given(history)
      .when({ type: 'RecordProgress', step: 'renditions', detail: '480p', percent: 40 }, saga)
      .then([progressed('renditions', 40, '480p')]);
    spec
      .given(history)
      .when({ type: 'RecordProgress', step: 'renditions', detail: '720p', percent: 60 }, saga)
      .then([progressed('renditions', 60, '720p')]);
  });

  it('accepts clean-up progress after a failure', () => {
    spec
      .given(failedAsset())
      .when({ type: 'RecordProgress', step: 'cleanup', percent: null }, saga)
      .then([progressed('cleanup', null)]);
  });

  it('needs processing to have started', () => {
    spec
      .given(uploadedAsset())
      .when({ type: 'RecordProgress', step: 'probe', percent: 0 }, saga)
      .thenThrows('CONFLICT', 'NOT_PROCESSING');
  });

  it('refuses a percentage outside 0..100', () => {
    spec
      .given(processingAsset())
      .when({ type: 'RecordProgress', step: 'probe', percent: 101 }, saga)
      .thenThrows('VALIDATION', 'INVALID_PERCENT');
  });
});

describe('RecordProbe and RecordModeration', () => {
  it('record what the saga found', () => {
    spec
      .given(processingAsset())
      .when({ type: 'RecordProbe', ...probeFacts }, saga)
      .then([probed()]);
    spec
      .given(processingAsset())
      .when({ type: 'RecordModeration', ...allowed }, saga)
      .then([moderated()]);
    expect(fold(mediaDecider, [...processingAsset(), probed(), moderated()])).toMatchObject({
      probe: probeFacts,
      moderation: allowed,
    });
  });

  it('are idempotent, and refuse a different fact where one is recorded', () => {
    const history = [...processingAsset(), probed(), moderated()];
    spec
      .given(history)
      .when({ type: 'RecordProbe', ...probeFacts }, saga)
      .thenNothing();
    spec
      .given(history)
      .when({ type: 'RecordProbe', ...probeFacts, height: 1080 }, saga)
      .thenThrows('CONFLICT', 'PROBE_RECORDED');
    spec
      .given(history)
      .when({ type: 'RecordModeration', ...allowed }, saga)
      .thenNothing();
    spec
      .given(history)
      .when({ type: 'RecordModeration', ...rejected }, saga)
      .thenThrows('CONFLICT', 'MODERATION_RECORDED');
  });

  it('need processing to be under way', () => {
    spec
      .given(uploadedAsset())
      .when({ type: 'RecordProbe', ...probeFacts }, saga)
      .thenThrows('CONFLICT', 'NOT_PROCESSING');
    spec
      .given(failedAsset())
      .when({ type: 'RecordModeration', ...allowed }, saga)
      .thenThrows('CONFLICT', 'PROCESSING_ENDED');
  });

  it('validate the facts', () => {
    spec
      .given(processingAsset())
      .when({ type: 'RecordProbe', ...probeFacts, width: -1 }, saga)
      .thenThrows('VALIDATION', 'INVALID_PROBE');
  });
});

describe('MarkReady', () => {
  it('records the manifest; the asset is ready', () => {
    spec
      .given([...processingAsset(), probed(), moderated()])
      .when({ type: 'MarkReady', manifest }, saga)
      .then([ready()]);
    expect(fold(mediaDecider, readyAsset())).toMatchObject({ status: 'ready', manifest });
  });

  it('is idempotent; a different manifest once ready is refused', () => {
    spec.given(readyAsset()).when({ type: 'MarkReady', manifest }, saga).thenNothing();
    spec
      .given(readyAsset())
      .when({ type: 'MarkReady', manifest: { ...manifest, poster: null } }, saga)
      .thenThrows('CONFLICT', 'ALREADY_READY');
  });

  it('refuses media that moderation rejected, and media whose processing failed', () => {
    spec
      .given([...processingAsset(), moderated(rejected)])
      .when({ type: 'MarkReady', manifest }, saga)
      .thenThrows('CONFLICT', 'MODERATION_REJECTED');
    spec
      .given(failedAsset())
      .when({ type: 'MarkReady', manifest }, saga)
      .thenThrows('CONFLICT', 'PROCESSING_FAILED');
    spec
      .given(uploadedAsset())
      .when({ type: 'MarkReady', manifest }, saga)
      .thenThrows('CONFLICT', 'NOT_PROCESSING');
  });

  it.each([
    [
      'a rendition named "original"',
      { ...manifest, renditions: [rendition('original')], hlsMaster: null, poster: null },
    ],
    [
      'two renditions with one name',
      { ...manifest, renditions: [rendition('720p'), rendition('720p')], hlsMaster: null, poster: null },
    ],
    ['a master playlist that is not a rendition', { ...manifest, hlsMaster: 'hls-missing' }],
    ['a poster that is not a rendition', { ...manifest, poster: 'poster-missing' }],
    [
      'a rendition name unfit for a URL',
      { ...manifest, renditions: [rendition('../720p')], hlsMaster: null, poster: null },
    ],
  ])('refuses a manifest with %s', (_what, bad) => {
    spec
      .given(processingAsset())
      .when({ type: 'MarkReady', manifest: bad }, saga)
      .thenThrows('VALIDATION', 'INVALID_MANIFEST');
  });
});

describe('FailProcessing', () => {
  it('records why processing failed', () => {
    spec
      .given(processingAsset())
      .when({ type: 'FailProcessing', stage: 'probe', reason: 'Not a media file' }, saga)
      .then([failed()]);
    expect(fold(mediaDecider, failedAsset())).toMatchObject({
      status: 'failed',
      failure: { stage: 'probe', reason: 'Not a media file' },
    });
  });

  it('may fail an upload before processing started', () => {
    spec
      .given(uploadedAsset())
      .when({ type: 'FailProcessing', stage: 'start', reason: 'gone' }, saga)
      .then([failed('start', 'gone')]);
  });

  it('keeps the first failure: a later one changes nothing', () => {
    spec
      .given(failedAsset())
      .when({ type: 'FailProcessing', stage: 'renditions', reason: 'ffmpeg exited with 1' }, saga)
      .thenNothing();
  });

  it('refuses to fail ready media, or media with nothing uploaded', () => {
    spec
      .given(readyAsset())
      .when({ type: 'FailProcessing', stage: 'cleanup', reason: 'late' }, saga)
      .thenThrows('CONFLICT', 'ALREADY_READY');
    spec
      .given(requestedAsset())
      .when({ type: 'FailProcessing', stage: 'probe', reason: 'x' }, saga)
      .thenThrows('CONFLICT', 'NOT_UPLOADED');
  });
});
