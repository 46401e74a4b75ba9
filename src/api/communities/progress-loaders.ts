import type { MercuriusContext, MercuriusLoaders } from 'mercurius';
import { z } from 'zod';
import { loadAggregate } from '../../commands/load-aggregate.ts';
import { attemptAggregate } from '../../domain/communities/attempt-decider.ts';
import { checkpointAttemptsStream } from '../../domain/communities/streams.ts';

type Queries = { obj: { id: string; checkpointId: string; userId: string } }[];

const givenAnswers = z.array(
  z.object({ questionId: z.string(), choices: z.array(z.string()).nullish(), text: z.string().nullish() }),
);

/**
 * `CheckpointAttempt.answers` for a whole page of attempts. The learner's words live in their
 * encrypted event, not in the read model, so they are read from the attempts streams: each stream
 * (one learner's attempts at one checkpoint) once for every attempt of it on the page, all at once,
 * rather than one read per attempt in turn. The field that returned each attempt has checked who
 * may see it.
 */
export function progressLoaders(): MercuriusLoaders {
  return {
    CheckpointAttempt: {
      answers: async (queries: Queries, context: MercuriusContext) => {
        const { communities } = context.scope;
        const streams = new Map<string, Promise<Map<string, string | null>>>();
        const answersIn = (stream: string) => {
          const known =
            streams.get(stream) ??
            loadAggregate(communities, attemptAggregate, stream).then(({ events }) => {
              const byAttempt = new Map<string, string | null>();
              for (const { event } of events) {
                if (event.type === 'CheckpointAttemptSubmitted')
                  byAttempt.set(event.data.attemptId, event.data.answers);
              }
              return byAttempt;
            });
          streams.set(stream, known);
          return known;
        };
        return Promise.all(
          queries.map(async ({ obj }) => {
            const stream = checkpointAttemptsStream(obj.checkpointId, obj.userId);
            const answers = (await answersIn(stream)).get(obj.id) ?? null;
            if (answers === null) return null;
            const parsed = givenAnswers.safeParse(JSON.parse(answers));
            return parsed.success ? parsed.data : null;
          }),
        );
      },
    },
  };
}
