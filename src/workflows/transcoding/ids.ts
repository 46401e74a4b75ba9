/**
 * Workflow ids derived from the asset, so a replayed MediaUploaded never starts a second saga and
 * MediaDeleted finds the one that runs. Pure: shared by the reactions, the workflows and tests.
 */
export const transcodingWorkflowId = (assetId: string) => `transcoding-${assetId}`;

/** One per asset: removes what a finished saga left once the asset is deleted. */
export const purgeWorkflowId = (assetId: string) => `media-purge-${assetId}`;

/** Signal and query names, as the process manager and clients address them. */
export const DELETE_MEDIA_SIGNAL = 'deleteMedia';
export const TRANSCODING_PROGRESS_QUERY = 'progress';

/** The actor every saga command is issued as (`system:transcoding`). */
export const TRANSCODING_PROCESS = 'transcoding';
