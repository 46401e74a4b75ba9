import type pg from 'pg';
import type { OutboundPolicy } from '../../net/outbound-policy.ts';
import type { ServiceDeps } from '../shared/command-context.ts';

/**
 * What the device use cases need: the command pipeline (its `settle` waits for the `devices` read
 * model), the read side, the VAPID public key browsers subscribe with, and the outbound policy a
 * subscription's endpoint must pass (`OUTBOUND_ALLOW_INTERNAL`; none internal when unset), and the
 * push services it may point at.
 */
export type DeviceDeps = ServiceDeps & {
  pool: pg.Pool;
  vapidPublicKey: string;
  outbound?: OutboundPolicy;
  /** The push services endpoints may point at (PUSH_ALLOWED_HOSTS); default DEFAULT_PUSH_HOSTS. */
  pushHosts?: readonly string[];
};
