import type { VideoRoomProvider } from './port.ts';

/**
 * For development and tests without a video service: rooms are only names. The URL says so
 * (`local://no-media/<room>`) and `hasMedia` is false, so clients can tell nobody will see or hear
 * anybody there.
 */
export function createLocalVideoRooms(): VideoRoomProvider {
  return {
    name: 'local',
    hasMedia: false,
    async createRoom({ sessionId }) {
      return { provider: 'local', roomName: sessionId, url: `local://no-media/${sessionId}` };
    },
    async deleteRoom() {},
  };
}
