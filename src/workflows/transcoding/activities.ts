import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadAggregate } from '../../commands/load-aggregate.ts';
import { mediaAggregate } from '../../domain/media/media-decider.ts';
import { mediaStream } from '../../domain/media/streams.ts';
import { DomainError } from '../../domain/shared/domain-error.ts';
import { AUDIO_FORMATS, type AudioFormat, transcodeAudio } from '../../media/audio.ts';
import { invalidMedia } from '../../media/errors.ts';
import { HLS_CONTENT_TYPES, type HlsVariant, masterPlaylist, packageHls } from '../../media/hls.ts';
import { HLS_MASTER } from '../../media/hls-names.ts';
import { imageRenditions, probeImage, squareRenditions } from '../../media/images.ts';
import { ladderFor } from '../../media/ladder.ts';
import type { ModerationVerdict } from '../../media/moderation/moderator.ts';
import { probe } from '../../media/probe.ts';
import { extractFrame, moderationStill, posterTime, thumbnailSet } from '../../media/stills.ts';
import { transcodeRendition } from '../../media/video.ts';
import { assetPrefix } from '../../storage/keys.ts';
import {
  asActivity,
  inWorkDir,
  issue,
  localCopy,
  progressRecorder,
  renditionsPrefix,
  storeRendition,
  withHeartbeat,
} from './activity-support.ts';
import type { TranscodingDeps } from './deps.ts';
import type {
  AssetFacts,
  HlsOutput,
  Manifest,
  MediaProbe,
  ProcessingStep,
  Rendition,
  SagaRef,
  StartOutcome,
} from './types.ts';

/** Moderation reasons and failure reasons are stored in events with these limits. */
const REASON_LIMIT = 1_000;
const FAILURE_LIMIT = 2_000;

/**
 * The transcoding saga's activities, as closures over their dependencies. Commands carry ids
 * derived from the saga and the step, and renditions are stored with atomic replacing puts, so
 * Temporal may run any of them again (a retry, a worker that died mid-transcode) without
 * recording anything twice or leaving half a file.
 */
export function createTranscodingActivities(deps: TranscodingDeps) {
  const log = deps.log.child({ component: 'transcoding-activities' });
  const tools = deps.media?.tools ? { tools: deps.media.tools } : {};

  return {
    /** Marks the asset as processing and says what was uploaded; a deleted or finished asset is skipped. */
    startMediaProcessing(ref: SagaRef): Promise<StartOutcome> {
      return asActivity(async () => {
        try {
          await issue(deps, ref, 'start', { type: 'StartProcessing' });
        } catch (error) {
          if (error instanceof DomainError && error.reason === 'MEDIA_DELETED') return { skip: 'deleted' };
          throw error;
        }
        const { state } = await loadAggregate(deps, mediaAggregate, mediaStream(ref.assetId));
        if (state.status === 'none' || !state.storageKey) return { skip: 'nothing uploaded' };
        if (state.status !== 'processing') return { skip: state.status };
        const facts: AssetFacts = {
          kind: state.kind,
          fileName: state.fileName,
          contentType: state.detectedContentType ?? state.contentType,
          storageKey: state.storageKey,
        };
        return { start: facts };
      });
    },

    async recordMediaProgress(
      ref: SagaRef,
      step: ProcessingStep,
      detail: string | null,
      percent: number | null,
    ): Promise<void> {
      await asActivity(() =>
        issue(deps, ref, `progress:${step}:${detail ?? ''}:${percent ?? ''}`, {
          type: 'RecordProgress',
          step,
          detail,
          percent,
        }),
      );
    },

    /**
     * ffprobe (sharp for stills) on the original, recorded as MediaProbed. Media that cannot be
     * read, or is not the kind it was uploaded as, fails for good with the reason why.
     */
    probeMedia(ref: SagaRef, asset: AssetFacts): Promise<MediaProbe> {
      return asActivity(() =>
        inWorkDir(deps, (dir) =>
          withHeartbeat(async (_beat, signal) => {
            const input = await localCopy(deps, asset.storageKey, dir, signal);
            const found =
              asset.kind === 'image' ? await probeImage(input) : await probe(input, { ...tools, signal });
            if (asset.kind === 'video' && (!found.videoCodec || !found.width || !found.height)) {
              throw invalidMedia('The file was uploaded as a video but holds no picture');
            }
            if (asset.kind === 'audio' && !found.audioCodec) {
              throw invalidMedia('The file was uploaded as audio but holds no sound');
            }
            const { formatName, durationSeconds, width, height, videoCodec, audioCodec, bitrate } = found;
            await issue(deps, ref, 'probe', {
              type: 'RecordProbe',
              formatName: formatName.slice(0, 200),
              durationSeconds,
              width,
              height,
              videoCodec,
              audioCodec,
              bitrate,
            });
            return found;
          }),
        ),
      );
    },

    /** The moderator's verdict, recorded with the checker that decided (MediaModerated). */
    moderateMedia(ref: SagaRef, asset: AssetFacts, found: MediaProbe | null): Promise<ModerationVerdict> {
      return asActivity(() =>
        inWorkDir(deps, (dir) =>
          withHeartbeat(async (_beat, signal) => {
            const still = async () => {
              if ((asset.kind !== 'video' && asset.kind !== 'image') || !found) return null;
              const input = await localCopy(deps, asset.storageKey, dir, signal);
              return moderationStill(input, {
                kind: asset.kind,
                durationSeconds: found.durationSeconds,
                workDir: dir,
                signal,
                ...tools,
              });
            };
            const verdict = await deps.moderator.moderate(
              {
                kind: asset.kind,
                fileName: asset.fileName,
                contentType: asset.contentType,
                probe: found,
                still,
              },
              signal,
            );
            const reasons = verdict.reasons.slice(0, 50).map((reason) => clip(reason, REASON_LIMIT));
            await issue(deps, ref, 'moderation', { type: 'RecordModeration', ...verdict, reasons });
            log.info(
              { assetId: ref.assetId, checker: verdict.checker, decision: verdict.decision },
              'media moderated',
            );
            return { ...verdict, reasons };
          }),
        ),
      );
    },

    /**
     * One MP4 rendition of the ladder (`720p`), heartbeating ffmpeg's progress and recording it by
     * the quarter. Killed when Temporal cancels the activity (the asset was deleted).
     */
    transcodeVideoRendition(
      ref: SagaRef,
      asset: AssetFacts,
      source: MediaProbe,
      name: string,
    ): Promise<Rendition> {
      return asActivity(() =>
        inWorkDir(deps, (dir) =>
          withHeartbeat(async (beat, signal) => {
            const rung = ladderFor(source).find((candidate) => candidate.name === name);
            if (!rung)
              throw invalidMedia(`A ${source.width}x${source.height} video has no ${name} rendition`);
            const progress = progressRecorder(deps, ref, 'renditions', name);
            progress.update(0);
            const input = await localCopy(deps, asset.storageKey, dir, signal);
            const output = path.join(dir, `${name}.mp4`);
            try {
              const result = await transcodeRendition(input, output, {
                height: rung.height,
                source,
                signal,
                ...tools,
                ...(deps.media?.preset ? { preset: deps.media.preset } : {}),
                ...(deps.media?.threads !== undefined ? { threads: deps.media.threads } : {}),
                onProgress: ({ percent }) => {
                  beat({ percent });
                  progress.update(percent);
                },
              });
              const stored = await storeRendition(deps, ref.assetId, output, {
                name,
                kind: 'video',
                contentType: 'video/mp4',
                width: result.width,
                height: result.height,
                bitrate: result.bitrate,
                durationSeconds: result.durationSeconds,
              });
              await progress.done();
              return stored;
            } finally {
              await progress.settled();
            }
          }),
        ),
      );
    },

    /**
     * The MP4 renditions cut into 6 s MPEG-TS segments with a playlist each, and the master
     * playlist over them; every file stored as a rendition named as the playlists name it.
     */
    packageHlsRenditions(ref: SagaRef, renditions: Rendition[]): Promise<HlsOutput> {
      return asActivity(() =>
        inWorkDir(deps, (dir) =>
          withHeartbeat(async (beat, signal) => {
            const progress = progressRecorder(deps, ref, 'hls', 'segments');
            progress.update(0);
            const stored: Rendition[] = [];
            const variants: HlsVariant[] = [];
            for (const [index, mp4] of renditions.entries()) {
              const input = await localCopy(deps, mp4.storageKey, dir, signal);
              const outDir = path.join(dir, mp4.name);
              await mkdir(outDir);
              const packaged = await packageHls(input, outDir, {
                rendition: mp4.name,
                width: mp4.width ?? 0,
                height: mp4.height ?? 0,
                signal,
                ...tools,
              });
              for (const segment of packaged.segments) {
                stored.push(
                  await storeRendition(deps, ref.assetId, segment.file, {
                    name: segment.name,
                    kind: 'hls',
                    contentType: HLS_CONTENT_TYPES.segment,
                    width: mp4.width,
                    height: mp4.height,
                    durationSeconds: segment.durationSeconds,
                  }),
                );
                beat();
              }
              stored.push(
                await storeRendition(deps, ref.assetId, packaged.playlist.file, {
                  name: packaged.playlist.name,
                  kind: 'hls',
                  contentType: HLS_CONTENT_TYPES.playlist,
                  width: mp4.width,
                  height: mp4.height,
                  bitrate: packaged.variant.bandwidth,
                  durationSeconds: packaged.durationSeconds,
                }),
              );
              variants.push(packaged.variant);
              progress.update(((index + 1) / renditions.length) * 100);
            }
            const masterFile = path.join(dir, HLS_MASTER);
            await writeFile(masterFile, masterPlaylist(variants));
            const top = variants.reduce<HlsVariant | undefined>(
              (best, variant) => (best && best.bandwidth >= variant.bandwidth ? best : variant),
              undefined,
            );
            const master = await storeRendition(deps, ref.assetId, masterFile, {
              name: HLS_MASTER,
              kind: 'hls',
              contentType: HLS_CONTENT_TYPES.playlist,
              width: top?.width ?? null,
              height: top?.height ?? null,
              bitrate: top?.bandwidth ?? null,
              durationSeconds: renditions[0]?.durationSeconds ?? null,
            });
            await progress.done();
            return { master, renditions: stored };
          }),
        ),
      );
    },

    /** A poster frame taken by ffmpeg, then the poster and three thumbnail sizes (WebP, JPEG) by sharp. */
    generateThumbnails(ref: SagaRef, asset: AssetFacts, source: MediaProbe): Promise<Rendition[]> {
      return asActivity(() =>
        inWorkDir(deps, (dir) =>
          withHeartbeat(async (beat, signal) => {
            const input = await localCopy(deps, asset.storageKey, dir, signal);
            const frame = path.join(dir, 'poster.png');
            await extractFrame(input, frame, {
              atSeconds: posterTime(source.durationSeconds),
              signal,
              ...tools,
            });
            beat();
            const stills = await thumbnailSet(frame, { sourceWidth: source.width ?? 1920, signal });
            const stored: Rendition[] = [];
            for (const still of stills) {
              stored.push(
                await storeRendition(deps, ref.assetId, still.data, {
                  name: still.name,
                  kind: 'thumbnail',
                  contentType: still.contentType,
                  width: still.width,
                  height: still.height,
                }),
              );
            }
            return stored;
          }),
        ),
      );
    },

    /**
     * The image ladder (WebP and AVIF at 480/720/1080/1920 wide, never wider than the original),
     * then the square avatar crops (256 and 64, WebP).
     */
    transcodeImageRenditions(ref: SagaRef, asset: AssetFacts, source: MediaProbe): Promise<Rendition[]> {
      return asActivity(() =>
        inWorkDir(deps, (dir) =>
          withHeartbeat(async (beat, signal) => {
            const input = await localCopy(deps, asset.storageKey, dir, signal);
            const sourceWidth = source.width ?? 1;
            const images = [
              ...(await imageRenditions(input, { sourceWidth, signal })),
              ...(await squareRenditions(input, {
                sourceWidth,
                sourceHeight: source.height ?? sourceWidth,
                signal,
              })),
            ];
            const stored: Rendition[] = [];
            for (const image of images) {
              stored.push(
                await storeRendition(deps, ref.assetId, image.data, {
                  name: image.name,
                  kind: 'image',
                  contentType: image.contentType,
                  width: image.width,
                  height: image.height,
                }),
              );
              beat();
            }
            return stored;
          }),
        ),
      );
    },

    /** AAC (m4a) or Opus (ogg) of an audio file or voice message. */
    transcodeAudioRendition(
      ref: SagaRef,
      asset: AssetFacts,
      source: MediaProbe,
      format: AudioFormat,
    ): Promise<Rendition> {
      return asActivity(() =>
        inWorkDir(deps, (dir) =>
          withHeartbeat(async (beat, signal) => {
            const { name, contentType, extension } = AUDIO_FORMATS[format];
            const progress = progressRecorder(deps, ref, 'audio', name);
            progress.update(0);
            try {
              const input = await localCopy(deps, asset.storageKey, dir, signal);
              const output = path.join(dir, `${name}.${extension}`);
              await transcodeAudio(input, output, {
                format,
                source,
                signal,
                ...tools,
                onProgress: ({ percent }) => {
                  beat({ percent });
                  progress.update(percent);
                },
              });
              const result = await probe(output, { ...tools, signal });
              const stored = await storeRendition(deps, ref.assetId, output, {
                name,
                kind: 'audio',
                contentType,
                bitrate: result.bitrate,
                durationSeconds: result.durationSeconds,
              });
              await progress.done();
              return stored;
            } finally {
              await progress.settled();
            }
          }),
        ),
      );
    },

    async markMediaReady(ref: SagaRef, manifest: Manifest): Promise<void> {
      await asActivity(() => issue(deps, ref, 'ready', { type: 'MarkReady', manifest }));
    },

    async failMediaProcessing(ref: SagaRef, stage: string, reason: string): Promise<void> {
      await asActivity(() =>
        issue(deps, ref, 'fail', {
          type: 'FailProcessing',
          stage: clip(stage, 100),
          reason: clip(reason || 'Processing failed', FAILURE_LIMIT),
        }),
      );
    },

    /** Removes every rendition of the asset (partial ones included); removing nothing is fine. */
    async deleteMediaOutputs(assetId: string): Promise<void> {
      await asActivity(() => deps.storage.deletePrefix(renditionsPrefix(assetId)));
      log.info({ assetId }, 'media outputs deleted');
    },

    /**
     * Removes every object of a deleted asset: the original, the renditions and a direct upload's
     * incoming object. With presigned URLs the storage serves bytes itself, so this is what makes
     * a deleted asset unreachable there; retried until the storage answers.
     */
    async deleteAssetObjects(assetId: string): Promise<void> {
      await asActivity(() => deps.storage.deletePrefix(assetPrefix(assetId)));
      log.info({ assetId }, 'deleted media objects removed');
    },
  };
}

export type TranscodingActivities = ReturnType<typeof createTranscodingActivities>;

const clip = (text: string, limit: number) => (text.length <= limit ? text : `${text.slice(0, limit - 1)}…`);
