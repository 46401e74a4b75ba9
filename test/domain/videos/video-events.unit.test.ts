import { describe, expect, it } from 'vitest';
import { fold } from '../../../src/domain/shared/decider.ts';
import { videoPostStream } from '../../../src/domain/videos/streams.ts';
import type { VideoPostCommand } from '../../../src/domain/videos/video-commands.ts';
import { type VideoPostEvent, videoPostEventCatalogue } from '../../../src/domain/videos/video-events.ts';
import { videoPostDecider } from '../../../src/domain/videos/video-post-decider.ts';
import {
  admin,
  create,
  created,
  gone,
  live,
  owner,
  POST_ID,
  remove,
  update,
  updated,
} from './video-fixtures.ts';

/** A history and a command that together decide every event type. */
const DECISIONS: [VideoPostEvent[], VideoPostCommand][] = [
  [[], create()],
  [live(), update({ title: 'Heelflip', tags: ['#Heel'], visibility: 'unlisted', description: '' })],
  [live(), remove],
];

describe('the video post event catalogue', () => {
  it('stores on the videopost-<id> stream', () => {
    expect(videoPostStream(POST_ID)).toBe(`videopost-${POST_ID}`);
  });

  it('accepts every event the decider decides, under its own type', () => {
    const decided = DECISIONS.flatMap(([history, command]) =>
      videoPostDecider.decide(command, fold(videoPostDecider, history), owner),
    );
    expect(new Set(decided.map((event) => event.type))).toEqual(
      new Set(Object.keys(videoPostEventCatalogue)),
    );
    for (const event of decided) {
      const definition = videoPostEventCatalogue[event.type];
      expect(definition.type).toBe(event.type);
      expect(definition.schemaVersion).toBe(1);
      expect(definition.schema.safeParse(event.data).success).toBe(true);
    }
  });

  it('refuses to store tags that were not normalised, or an edit that changes nothing', () => {
    const { VideoPostCreated, VideoPostUpdated } = videoPostEventCatalogue;
    expect(VideoPostCreated.schema.safeParse(created({ tags: ['Skate'] }).data).success).toBe(false);
    expect(VideoPostUpdated.schema.safeParse(updated({}).data).success).toBe(false);
  });

  it('shows integrators who posted what, never a title, description or tags', () => {
    for (const definition of Object.values(videoPostEventCatalogue)) {
      expect(definition.publicFields).not.toContain('title');
      expect(definition.publicFields).not.toContain('description');
      expect(definition.publicFields).not.toContain('tags');
      expect(definition.publicFields).not.toContain('changes');
    }
  });

  it('records who deleted a post', () => {
    const [event] = videoPostDecider.decide(remove, fold(videoPostDecider, live()), admin);
    expect(event?.type).toBe('VideoPostDeleted');
    expect(fold(videoPostDecider, gone()).status).toBe('deleted');
  });
});
