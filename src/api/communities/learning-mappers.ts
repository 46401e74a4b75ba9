import {
  type CheckpointQuestion,
  learnerQuestion,
  parseQuestions,
} from '../../domain/communities/checkpoint-values.ts';
import { type SignAsset, toAttachment } from '../chat/message-mappers.ts';
import type { MediaAssetRow } from '../media/read-model-queries.ts';
import type {
  CheckpointRow,
  CheckpointVersionRow,
  ModuleRow,
  ModuleVersionRow,
  PathRow,
} from './learning-queries.ts';

/**
 * Who is reading learning content, decided once per request: a publisher (mentor, moderator,
 * owner) sees drafts, every version and the correct answers; a learner sees what is published and
 * approved, and never an answer. In text mode no media URL is signed or sent.
 */
export interface LearningReader {
  readerId: string;
  publisher: boolean;
  textMode: boolean;
}

const upper = (value: string) => value.toUpperCase();
const iso = (value: Date | null) => (value ? value.toISOString() : null);

export function toLearningPath(row: PathRow, reader: LearningReader) {
  return {
    id: row.path_id,
    communityId: row.community_id,
    title: row.title,
    description: row.description,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    publishedVersion: row.published_version,
    publishedAt: iso(row.published_at),
    isPublished: row.published_version > 0,
    row,
    reader,
  };
}
export type LearningPathView = ReturnType<typeof toLearningPath>;

/** A module at one of its versions (the published one for learners). */
export function toLearningModule(module: ModuleRow, version: ModuleVersionRow, reader: LearningReader) {
  return {
    id: module.module_id,
    pathId: module.path_id,
    communityId: module.community_id,
    version: version.version,
    title: version.title,
    body: version.body,
    mediaAssetIds: version.media_asset_ids,
    editedBy: version.edited_by,
    editedAt: version.edited_at.toISOString(),
    publishedVersion: module.published_version,
    // Learners learn nothing of drafts.
    latestVersion: reader.publisher ? module.latest_version : null,
    textMode: reader.textMode,
    module,
    reader,
  };
}
export type LearningModuleView = ReturnType<typeof toLearningModule>;

/** What changed from the version before (title, body, media): versions are shown as changes. */
export function toModuleVersion(
  row: ModuleVersionRow,
  previous: ModuleVersionRow | undefined,
  published: number | null,
) {
  const changes = previous
    ? [
        row.title !== previous.title ? 'TITLE' : null,
        row.body !== previous.body ? 'BODY' : null,
        JSON.stringify(row.media_asset_ids) !== JSON.stringify(previous.media_asset_ids) ? 'MEDIA' : null,
      ].filter((change) => change !== null)
    : ['TITLE', 'BODY', ...(row.media_asset_ids.length > 0 ? ['MEDIA'] : [])];
  return {
    version: row.version,
    title: row.title,
    editedBy: row.edited_by,
    editedAt: row.edited_at.toISOString(),
    published: row.version === published,
    changes,
  };
}

/**
 * A module's media as the pipeline has it now. In text mode there are no URLs (nothing is signed),
 * but each item still says what it is, so a client can offer to load it on a better connection.
 */
export function toLearningMedia(
  assetId: string,
  asset: MediaAssetRow | undefined,
  sign: SignAsset,
  textMode: boolean,
) {
  const kind = asset?.kind === 'audio' ? 'voice' : (asset?.kind ?? 'file');
  const attachment = toAttachment({ assetId, kind }, asset, sign);
  return {
    ...attachment,
    kind: upper(asset?.kind ?? 'file'),
    url: textMode ? null : attachment.url,
    thumbnailUrl: textMode ? null : attachment.thumbnailUrl,
  };
}
export type LearningMediaView = ReturnType<typeof toLearningMedia>;

export function toCheckpoint(row: CheckpointRow, version: CheckpointVersionRow, reader: LearningReader) {
  const questions = parseQuestions(version.questions);
  return {
    id: row.checkpoint_id,
    moduleId: row.module_id,
    pathId: row.path_id,
    communityId: row.community_id,
    version: version.version,
    approvedVersion: row.approved_version,
    latestVersion: reader.publisher ? row.latest_version : null,
    approved: row.approved_version === version.version,
    passMark: version.pass_mark,
    maxAttempts: version.max_attempts,
    cooldownSeconds: version.cooldown_seconds,
    source: upper(version.source),
    generator: version.generator,
    draftedBy: version.drafted_by,
    draftedAt: version.drafted_at.toISOString(),
    approvedBy: row.approved_by,
    approvedAt: iso(row.approved_at),
    totalPoints: questions.reduce((sum, question) => sum + question.points, 0),
    questions: questions.map((question) => toQuestion(question, reader.publisher)),
  };
}

/** Learners get the question without its answers: `correct` and `acceptedAnswers` are null. */
function toQuestion(question: CheckpointQuestion, withAnswers: boolean) {
  const shown = withAnswers ? question : learnerQuestion(question);
  return {
    id: shown.id,
    type: upper(shown.type),
    prompt: shown.prompt,
    points: shown.points,
    options:
      'options' in shown
        ? shown.options.map((option) => ({
            id: option.id,
            text: option.text,
            correct: withAnswers && 'correct' in option ? option.correct : null,
          }))
        : null,
    acceptedAnswers: withAnswers && 'acceptedAnswers' in shown ? shown.acceptedAnswers : null,
    guidance: 'guidance' in shown ? shown.guidance : null,
  };
}
