import { uuidv5 } from '../../commands/event-ids.ts';
import { validation } from '../shared/domain-error.ts';
import { NOTIFICATION_NAMESPACE } from './streams.ts';

/**
 * The device a person's push subscription is: derived from the owner and the endpoint, so that
 * registering the same subscription again (every page load of a web app does) finds the same
 * device instead of adding one, however the calls race.
 */
export const deviceIdForPush = (userId: string, endpoint: string) =>
  uuidv5(`device:${userId.toLowerCase()}:${endpoint}`, NOTIFICATION_NAMESPACE);

/**
 * The device one install of an app is, for the app that names its installs (a native app, a
 * browser without push permission): derived from the owner and the install's own id the same way,
 * so it stays one device whether it registers with a subscription, without one, or with a new one
 * after the push service rotated its endpoint. Its own prefix keeps it apart from every endpoint's.
 */
export const deviceIdForInstallation = (userId: string, installationId: string) =>
  uuidv5(`device-installation:${userId.toLowerCase()}:${installationId}`, NOTIFICATION_NAMESPACE);

/**
 * What an installation id may be: 8 to 100 of the characters UUIDs, base64url and the platforms'
 * install ids (Firebase installations, identifierForVendor) are made of, compared exactly (case
 * matters: base64url is case-sensitive). Nothing else, so it cannot smuggle text into a log line.
 */
const INSTALLATION_ID = /^[A-Za-z0-9._:-]{8,100}$/;

export function checkInstallationId(installationId: string): string {
  if (!INSTALLATION_ID.test(installationId)) {
    throw validation(
      'INVALID_INSTALLATION_ID',
      'installationId must be 8 to 100 of the characters A-Z a-z 0-9 . _ : -',
    );
  }
  return installationId;
}
