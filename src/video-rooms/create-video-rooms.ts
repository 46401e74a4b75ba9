import { createDailyVideoRooms } from './daily-provider.ts';
import { createLocalVideoRooms } from './local-provider.ts';
import type { VideoRoomProvider } from './port.ts';

/** The video settings as the process configuration holds them. */
export interface VideoRoomEnvironment {
  DAILY_API_KEY?: string;
  /** Default `https://api.daily.co/v1`. */
  DAILY_API_URL?: string;
}

/**
 * Daily.co when an API key is configured, the local no-media rooms otherwise. Nothing happens at
 * construction: no request is made until a session is scheduled.
 */
export function createVideoRoomProvider(
  config: VideoRoomEnvironment,
  options: { timeoutMs?: number } = {},
): VideoRoomProvider {
  if (!config.DAILY_API_KEY) return createLocalVideoRooms();
  return createDailyVideoRooms({
    apiKey: config.DAILY_API_KEY,
    ...(config.DAILY_API_URL ? { baseUrl: config.DAILY_API_URL } : {}),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
  });
}
