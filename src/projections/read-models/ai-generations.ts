import type { EventCodec } from '../../commands/event-codec.ts';
import { aiGenerationEventCatalogue } from '../../domain/ai/generation-events.ts';
import type { Projection } from '../projection.ts';

/**
 * AI generation requests and how they ended: who asked for what, which provider and model answered
 * (a model or the local templates), tokens, duration and attempts. The generated text stays in the
 * events (and the content it went into), not here.
 */
export function aiGenerationsProjection(codec: Pick<EventCodec, 'decode'>): Projection {
  return {
    name: 'ai_generations',
    version: 1,
    eventTypes: Object.keys(aiGenerationEventCatalogue),
    tables: {
      ai_generations: {
        columns: `request_id uuid not null, kind text not null, brand_id text, content_id text,
          requested_by text not null, status text not null, provider text not null, model text not null,
          label text, prompt_tokens int, completion_tokens int, total_tokens int, duration_ms int,
          attempts int, error_code text, requested_at timestamptz not null, completed_at timestamptz`,
        primaryKey: ['request_id'],
        indexes: [
          '(brand_id, requested_at desc)',
          '(content_id, requested_at desc)',
          '(requested_by, requested_at desc)',
          '(status, requested_at desc)',
        ],
      },
    },
    async apply(recorded, writer) {
      const decoded = await codec.decode(aiGenerationEventCatalogue, recorded);
      if (!decoded) return;
      const { event } = decoded;
      switch (event.type) {
        case 'AIGenerationRequested': {
          const { requestId, kind, brandId, contentId, requestedBy, provider, model, at } = event.data;
          writer.upsert('ai_generations', {
            request_id: requestId,
            kind,
            brand_id: brandId,
            content_id: contentId,
            requested_by: requestedBy,
            status: 'requested',
            provider,
            model,
            requested_at: at,
          });
          return;
        }
        case 'AIGenerationCompleted': {
          const { requestId, provider, model, label, promptTokens, completionTokens, totalTokens } =
            event.data;
          return writer.update(
            'ai_generations',
            { request_id: requestId },
            {
              status: 'completed',
              provider,
              model,
              label,
              prompt_tokens: promptTokens,
              completion_tokens: completionTokens,
              total_tokens: totalTokens,
              duration_ms: event.data.durationMs,
              attempts: event.data.attempts,
              completed_at: event.data.at,
            },
          );
        }
        case 'AIGenerationFailed': {
          const { requestId, provider, model, errorCode, durationMs, attempts, at } = event.data;
          return writer.update(
            'ai_generations',
            { request_id: requestId },
            {
              status: 'failed',
              provider,
              model,
              error_code: errorCode,
              duration_ms: durationMs,
              attempts,
              completed_at: at,
            },
          );
        }
      }
    },
  };
}

/** The read model the AI use cases' callers may wait for (read-your-writes). */
export const AI_GENERATIONS_READ_MODEL = 'ai_generations';
