import { aiGenerationDecider } from '../../domain/ai/generation-decider.ts';
import { aiGenerationEventCatalogue } from '../../domain/ai/generation-events.ts';

/** The AI context's aggregate as the command pipeline sees it. */
export const aiGenerations = { decider: aiGenerationDecider, catalogue: aiGenerationEventCatalogue };
