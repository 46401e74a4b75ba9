import type { AiProvider } from '../ai/provider.ts';
import type { ServiceDeps } from './shared/command-context.ts';

/**
 * What the brand, content and AI use cases need: the command pipeline (its `settle` waits for the
 * brand and content read models), the AI provider, and the server secret webhook signing keys are
 * derived from.
 */
export interface PublishingDeps extends ServiceDeps {
  ai: AiProvider;
  authSecret: Uint8Array;
}
