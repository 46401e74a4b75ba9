import type pg from 'pg';
import type { OutboundPolicy } from '../../net/outbound-policy.ts';
import type { ServiceDeps } from '../shared/command-context.ts';

/**
 * What the webhook use cases need: the command pipeline (its `settle` waits for the webhooks read
 * model), the users read model (the owner's audience), the server secret signing keys derive
 * from, and where webhooks may go.
 */
export interface WebhookDeps extends ServiceDeps {
  pool: pg.Pool;
  authSecret: Uint8Array;
  /** Which internal targets are allowed (`OUTBOUND_ALLOW_INTERNAL`); none when unset. */
  outbound?: OutboundPolicy;
}
