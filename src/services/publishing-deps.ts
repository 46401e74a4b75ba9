import type { AiProvider } from '../ai/provider.ts';
import type { OutboundPolicy } from '../net/outbound-policy.ts';
import type { ServiceDeps } from './shared/command-context.ts';

/**
 * What the brand, content and AI use cases need: the command pipeline (its `settle` waits for the
 * brand and content read models), the AI provider, the server secret webhook signing keys are
 * derived from, and where webhooks may go.
 */
export interface PublishingDeps extends ServiceDeps {
  ai: AiProvider;
  authSecret: Uint8Array;
  /** Which internal webhook targets are allowed (`OUTBOUND_ALLOW_INTERNAL`); none when unset. */
  outbound?: OutboundPolicy;
}
