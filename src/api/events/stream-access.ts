import type { Actor } from '../../domain/shared/decider.ts';
import { forbidden, unauthenticated } from '../../domain/shared/domain-error.ts';

/**
 * Who may read the integrator event stream: an API key with `events:read`, or an admin (to look at
 * what integrators receive). Other users may not: the stream spans every user's public events.
 */
export function requireEventReader(actor: Actor): void {
  switch (actor.kind) {
    case 'integration':
      if (!actor.scopes.includes('events:read')) {
        throw forbidden('MISSING_SCOPE', 'This API key lacks the events:read scope', {
          scope: 'events:read',
        });
      }
      return;
    case 'user':
      if (actor.role !== 'admin') {
        throw forbidden('ADMIN_ONLY', 'Only admins and API keys with events:read may read the event stream');
      }
      return;
    case 'anonymous':
      throw unauthenticated('SIGN_IN_REQUIRED', 'Use an API key with the events:read scope');
    case 'system':
      throw forbidden('ADMIN_ONLY', 'System actors do not read the event stream over HTTP');
  }
}
