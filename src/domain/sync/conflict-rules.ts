import type { ConflictRule, SyncChangeType } from './change-types.ts';
import type { EntityView } from './entity-views.ts';
import type { SyncChange } from './outcomes.ts';

/**
 * What settles one pushed change against the server's state. `conflict`: the entity moved on since
 * the device last saw it (its version is past the change's `baseVersion`); `server`: what the server
 * holds of it now (null: nothing yet).
 */
export interface ResolveInput {
  conflict: boolean;
  server: EntityView | null;
  change: SyncChange;
}

export type Resolution =
  /** Decide the change as sent: `applied`. */
  | { kind: 'apply' }
  /** Decide `payload` instead: `merged`, with `value` the result. */
  | { kind: 'merge'; payload: Record<string, unknown>; value: Record<string, unknown> }
  /** The server's value wins and nothing is stored: `superseded`. */
  | { kind: 'supersede'; winner: Record<string, unknown> }
  /** Left for the person to settle: `queued`. */
  | { kind: 'queue' }
  /** The server already holds exactly what the change would make: report `applied`, store nothing. */
  | { kind: 'alreadyApplied' };

export interface ConflictRuleSpec {
  /** One sentence for the docs' table and the outcome's explanation. */
  describe: string;
  /**
   * When the domain refuses a change of this rule after a conflict: 'refuse' reports the refusal;
   * 'supersedeAndNotify' reports `superseded` and records SyncChangeOverruled, which tells the
   * person (what they did offline was overtaken, not wrong). Without a conflict a refusal stays one.
   */
  refusalAfterConflict: 'refuse' | 'supersedeAndNotify';
  /**
   * Whether a change is decided as made on the version its own batch's earlier changes left, when
   * only they moved the entity past its baseVersion (a post or a bio edited twice offline): true,
   * or the device would conflict with itself. False for lastWriteWinsByClientTime, which settles by
   * the device's own clock anyway and keeps a pass final (an attempt after the batch's own pass is
   * superseded by it, not refused ALREADY_PASSED).
   */
  rebaseOnOwnBatch: boolean;
  /** The rule itself; `resolveChange` first checks whether the change is already on the server. */
  resolve(input: ResolveInput): Resolution;
}

const apply: Resolution = { kind: 'apply' };
const supersede = (server: EntityView): Resolution => ({ kind: 'supersede', winner: server.value });

/**
 * Strictly later, by the instant (times carry offsets, so strings do not compare); a tie is not
 * later, so on a tie the server wins. An unknown time never wins against a known one.
 */
const isAfter = (clientTime: string, than: string | undefined) =>
  than === undefined || Date.parse(clientTime) > Date.parse(than);

/** The six rules, as one table (CONFLICT_RULES in change-types.ts names them, each change type picks one). */
export const CONFLICT_RULE_TABLE: Readonly<Record<ConflictRule, ConflictRuleSpec>> = {
  lastWriteWinsByClientTime: {
    describe:
      'The later client time wins the whole value (a tie goes to the server); a passed checkpoint is final.',
    refusalAfterConflict: 'refuse',
    rebaseOnOwnBatch: false,
    resolve({ conflict, server, change }) {
      if (!conflict || server === null) return apply;
      if (server.final === true || !isAfter(change.clientTime, server.clientTime)) return supersede(server);
      return apply;
    },
  },
  lastWriteWinsPerField: {
    describe:
      'Each field on its own: the device wins a field it changed later than the server last did (a tie goes to the server).',
    refusalAfterConflict: 'refuse',
    rebaseOnOwnBatch: true,
    resolve({ conflict, server, change }) {
      if (!conflict || server === null) return apply;
      const fields = Object.keys(change.payload).filter((field) => change.payload[field] !== undefined);
      const winning = fields.filter((field) => isAfter(change.clientTime, server.fieldTimes?.[field]));
      if (winning.length === fields.length) return apply;
      if (winning.length === 0) return supersede(server);
      const payload = Object.fromEntries(winning.map((field) => [field, change.payload[field]]));
      return { kind: 'merge', payload, value: { ...server.value, ...payload } };
    },
  },
  serverWinsMaximum: {
    describe: 'Progress only advances: the higher percentage stays, whichever side it came from.',
    refusalAfterConflict: 'refuse',
    rebaseOnOwnBatch: true,
    resolve({ server, change }) {
      if (server === null) return apply;
      return percentOf(change.payload) > percentOf(server.value) ? apply : supersede(server);
    },
  },
  serverWinsWithNotice: {
    describe:
      "Decided again against the server's state now; what it refuses after the community moved on is dropped and the person told.",
    refusalAfterConflict: 'supersedeAndNotify',
    rebaseOnOwnBatch: true,
    resolve: () => apply,
  },
  manualResolution: {
    describe:
      "Left for the person to settle when the server's copy moved on: nobody's words are overwritten.",
    refusalAfterConflict: 'refuse',
    rebaseOnOwnBatch: true,
    resolve: ({ conflict }) => (conflict ? { kind: 'queue' } : apply),
  },
  appendOnly: {
    describe: 'Appends never conflict: what was written offline is added.',
    refusalAfterConflict: 'refuse',
    rebaseOnOwnBatch: true,
    resolve: () => apply,
  },
};

const percentOf = (value: Record<string, unknown>) =>
  value.completed === true ? 100 : typeof value.percent === 'number' ? value.percent : 0;

/** One answer as the scoring reads it, so the device's and the stored copy compare field by field. */
const normalAnswers = (answers: unknown): string | null => {
  if (!Array.isArray(answers)) return null;
  return JSON.stringify(
    answers.map((answer: Record<string, unknown>) => ({
      questionId: answer?.questionId ?? null,
      choices: answer?.choices ?? null,
      text: answer?.text ?? null,
    })),
  );
};

const parsed = (json: string | null): unknown => {
  if (json === null) return null;
  try {
    return JSON.parse(json);
  } catch {
    return null;
  }
};

/**
 * Whether the server's value already is what the change would make it, per change type. Appends
 * (a reply, a chat message, a helpful mark) never are: those are recognised by their idempotency
 * key when the change is decided again.
 */
const HOLDS: Readonly<Record<SyncChangeType, (server: EntityView, change: SyncChange) => boolean>> = {
  'checkpoint.answer': (server, change) => {
    const sent = normalAnswers(change.payload.answers);
    return (server.submissions ?? []).some(
      (submission) =>
        submission.clientTime === change.clientTime &&
        sent !== null &&
        normalAnswers(parsed(submission.answers)) === sent,
    );
  },
  'module.progress': (server, change) => percentOf(server.value) === percentOf(change.payload),
  'profile.update': (server, change) =>
    Object.entries(change.payload).every(
      ([field, value]) => value === undefined || server.value[field] === value,
    ),
  'community.join': (server) => server.value.status === 'member' || server.value.status === 'requested',
  'community.leave': (server) => server.value.status === 'left' || server.value.status === 'none',
  'community.reply': () => false,
  'community.markHelpful': () => false,
  'post.edit': (server, change) =>
    server.value.body === change.payload.body &&
    (change.payload.title == null || server.value.title === change.payload.title),
  'chat.message': () => false,
};

/**
 * Settles one change: already on the server (a retry after a crash between the append and the
 * receipt) → alreadyApplied; otherwise the rule decides.
 */
export function resolveChange(rule: ConflictRule, input: ResolveInput): Resolution {
  const holds = Object.hasOwn(HOLDS, input.change.type) ? HOLDS[input.change.type] : undefined;
  if (input.server !== null && holds?.(input.server, input.change)) return { kind: 'alreadyApplied' };
  return CONFLICT_RULE_TABLE[rule].resolve(input);
}
