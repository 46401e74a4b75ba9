import type { MediaModerator } from '../../media/moderation/moderator.ts';
import type { MediaTools } from '../../media/tool-process.ts';
import type { ServiceDeps } from '../../services/shared/command-context.ts';
import type { ObjectStorage } from '../../storage/port.ts';

/** What the transcoding activities use besides the command pipeline. */
export interface TranscodingDeps extends ServiceDeps {
  /** Where originals are read and renditions written (`media/<assetId>/renditions/<name>`). */
  storage: ObjectStorage;
  /** Local rules, then OpenAI's moderation when a key is set (`createMediaModerator`). */
  moderator: MediaModerator;
  /** ffmpeg/ffprobe paths, x264 preset and scratch space; defaults suit a Debian worker. */
  media?: MediaSettings;
}

export interface MediaSettings {
  tools?: MediaTools;
  /** x264 preset for renditions (default `veryfast`). */
  preset?: string;
  /** Threads per ffmpeg (default 0: as many as cores; renditions run side by side anyway). */
  threads?: number;
  /** Scratch space for ffmpeg's output before it is stored (default the OS temp directory). */
  workDir?: string;
}
