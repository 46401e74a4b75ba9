import { progressEventCatalogue } from '../../../../domain/communities/progress-events.ts';
import { learningProgressStream } from '../../../../domain/communities/streams.ts';
import { moduleOnRecord } from '../../../communities/checkpoint-record.ts';
import { recordModuleProgress } from '../../../communities/progress.ts';
import { moduleNotFound } from '../../../communities/unseen-as-missing.ts';
import type { SyncApplier } from '../applier.ts';
import { entityStream } from '../entity-stream.ts';

/**
 * `module.progress`: the learner's progress in the module the change names, kept on their progress
 * stream for the module's path (found from the module's own stream, as the use case finds it).
 */
export const moduleProgress: SyncApplier = {
  async locate(deps, _context, userId, change) {
    const module = await moduleOnRecord(deps, change.entityId);
    if (module === null) throw moduleNotFound();
    return {
      entity: entityStream(
        learningProgressStream(module.pathId.toLowerCase(), userId),
        progressEventCatalogue,
      ),
      communityId: null,
    };
  },
  async apply(deps, context, change, payload) {
    await recordModuleProgress(deps, context, {
      moduleId: change.entityId,
      percent: payload.percent,
      clientTime: change.clientTime,
      idempotencyKey: change.changeId,
    });
    return null;
  },
};
