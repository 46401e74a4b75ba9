import { uuidv5 } from '../../commands/event-ids.ts';
import { NOTIFICATION_NAMESPACE } from './streams.ts';

/**
 * The device a person's push subscription is: derived from the owner and the endpoint, so that
 * registering the same subscription again (every page load of a web app does) finds the same
 * device instead of adding one, however the calls race.
 */
export const deviceIdForPush = (userId: string, endpoint: string) =>
  uuidv5(`device:${userId.toLowerCase()}:${endpoint}`, NOTIFICATION_NAMESPACE);
