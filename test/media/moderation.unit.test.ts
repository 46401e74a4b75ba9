import { describe, expect, it } from 'vitest';
import {
  brokenRules,
  DEFAULT_LOCAL_RULES,
  localRulesModerator,
} from '../../src/media/moderation/local-rules.ts';
import { chainModerators, type MediaModerator } from '../../src/media/moderation/moderator.ts';
import type { MediaProbe } from '../../src/media/types.ts';

const video: MediaProbe = {
  formatName: 'mov,mp4,m4a,3gp,3g2,mj2',
  durationSeconds: 30,
  width: 1920,
  height: 1080,
  videoCodec: 'h264',
  audioCodec: 'aac',
  bitrate: 5_000_000,
  frameRate: 30,
  audioChannels: 2,
};

const subject = (kind: 'video' | 'audio' | 'image' | 'file', probe: MediaProbe | null) => ({
  kind,
  fileName: 'upload',
  contentType: 'application/octet-stream',
  probe,
  still: async () => null,
});

describe('local moderation rules', () => {
  it('allow ordinary media', async () => {
    expect(await localRulesModerator().moderate(subject('video', video))).toEqual({
      checker: 'local-rules',
      decision: 'allowed',
      reasons: [],
    });
    expect(
      brokenRules(
        DEFAULT_LOCAL_RULES,
        subject('audio', { ...video, videoCodec: null, audioCodec: 'pcm_s16le' }),
      ),
    ).toEqual([]);
  });

  it('reject, with every reason, codecs, lengths and sizes outside the limits', async () => {
    const verdict = await localRulesModerator().moderate(
      subject('video', {
        ...video,
        videoCodec: 'mpeg2video',
        durationSeconds: 3_725,
        width: 7680,
        height: 4320,
      }),
    );
    expect(verdict.decision).toBe('rejected');
    expect(verdict.reasons).toEqual([
      expect.stringMatching(/^Video codec mpeg2video is not accepted \(accepted: h264, /),
      'The video is 7680x4320; at most 3840x2160 is accepted',
      'The video lasts 1 h 2 min 5 s; at most 1 h is accepted',
    ]);
  });

  it('are configurable', async () => {
    const strict = localRulesModerator({ maxDurationSeconds: { audio: 60 }, audioCodecs: ['opus'] });
    const verdict = await strict.moderate(
      subject('audio', { ...video, videoCodec: null, durationSeconds: 90 }),
    );
    expect(verdict.reasons).toEqual([
      'Audio codec aac is not accepted (accepted: opus)',
      'The recording lasts 1 min 30 s; at most 1 min is accepted',
    ]);
  });

  it('judge images by format and pixels, and leave plain files alone', () => {
    const image = { ...video, formatName: 'bmp', durationSeconds: null, width: 20_000, height: 10_000 };
    expect(brokenRules(DEFAULT_LOCAL_RULES, subject('image', image))).toEqual([
      expect.stringMatching(/^The image format bmp is not accepted/),
      'The image is 20000x10000 (200 MP); at most 100 MP is accepted',
    ]);
    expect(brokenRules(DEFAULT_LOCAL_RULES, subject('file', null))).toEqual([]);
  });
});

describe('a chain of moderators', () => {
  const fixed = (checker: 'openai' | 'local-rules', decision: 'allowed' | 'rejected'): MediaModerator => ({
    checker,
    moderate: async () => ({
      checker,
      decision,
      reasons: decision === 'rejected' ? [`${checker} says no`] : [],
    }),
  });

  it('stops at the first rejection, which names the checker that decided', async () => {
    const verdict = await chainModerators(
      fixed('local-rules', 'rejected'),
      fixed('openai', 'allowed'),
    ).moderate(subject('video', video));
    expect(verdict).toEqual({
      checker: 'local-rules',
      decision: 'rejected',
      reasons: ['local-rules says no'],
    });
  });

  it('is decided by the last checker when all allow', async () => {
    const verdict = await chainModerators(
      fixed('local-rules', 'allowed'),
      fixed('openai', 'allowed'),
    ).moderate(subject('video', video));
    expect(verdict.checker).toBe('openai');
  });
});
