import type pg from 'pg';
import type { AiProvider } from '../../ai/provider.ts';
import type { VideoRoomProvider } from '../../video-rooms/port.ts';
import type { ServiceDeps } from '../shared/command-context.ts';
import type { MentorReplyGenerations } from './conversations.ts';
import type { ReplyChannel } from './reply-channel.ts';

/**
 * What the mentorship use cases need (profiles, matching, sessions, the AI mentor): the command
 * pipeline, its `settle` waiting for the mentorship read models, and the read side for the facts
 * a command is handed (candidates, calendars, conversation context).
 */
export interface MentorshipDeps extends ServiceDeps {
  pool: pg.Pool;
  /** Makes and deletes the video rooms sessions meet in (Daily.co, or the local no-media rooms). */
  videoRooms: VideoRoomProvider;
  /** Writes the AI mentor's replies (OpenAI or the local templates). */
  ai: AiProvider;
  /** Streams the AI mentor's replies to `mentorReply` subscribers, across API processes with Redis. */
  replies: ReplyChannel;
  /** The replies this API process is generating, so shutting down can stop them and say so. */
  mentorReplies: MentorReplyGenerations;
}
