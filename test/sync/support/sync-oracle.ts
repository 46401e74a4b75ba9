import { APPLIED_EVENT_TYPES } from './change-commands.ts';
import type { PendingChange, SyncOutcomeView } from './offline-client.ts';

/**
 * The simulation's model of the server: the seed's per-type conflict rules written out plainly,
 * fed every pushed change in the order the server decided them (the simulation syncs one device
 * at a time, so that order is known). For each first answer to a change it says what the rule
 * must have answered and what must have been stored; for each later answer (a retry after a
 * dropped reply) that it is the first answer again. Violations are collected as lines, so a failed
 * run lists every broken promise at once.
 *
 * The model needs no conflict detection of its own: the entities it follows change only through
 * the changes it is fed, so their versions are the ones the outcomes report. It does follow what
 * each sync's own changes moved (`beginSync` starts one): a device's later change of a profile or a
 * post that only its own earlier changes in the same sync moved is decided as made on the version
 * they left (docs/sync.md; CONFLICT_RULE_TABLE.rebaseOnOwnBatch), not as a conflict with itself.
 * Checkpoint answers never are (the device clock settles them, a pass stays final), and progress
 * and memberships are decided against the server's state whatever the version.
 */

export interface OracleStart {
  /** Profile version and displayName when the devices went offline (the registration set it). */
  profile: { version: number; displayName: string | null; bio: string | null; displayNameTime: string };
  /** The editable posts: their version and body as the devices first saw them. */
  posts: Record<string, { version: number; body: string }>;
}

/** What a change must have left in the event store: event types under its command, or a queued conflict. */
export interface ExpectedStore {
  change: PendingChange;
  /** The events of the use case's command (keyed by the change id): exactly these, once. */
  events: readonly string[];
  /** A SyncConflictQueued for this change id. */
  queued: boolean;
}

const later = (a: string, than: string | undefined) => than === undefined || Date.parse(a) > Date.parse(than);

/** The change types whose rule rebases on the sync's own earlier changes and whose entity the model follows. */
const REBASED = new Set<PendingChange['type']>(['profile.update', 'post.edit']);
const movedKey = (change: PendingChange) => `${change.type}:${change.entityId.toLowerCase()}`;

export class SyncOracle {
  readonly violations: string[] = [];
  readonly first = new Map<string, { change: PendingChange; outcome: SyncOutcomeView }>();
  readonly stores: ExpectedStore[] = [];
  /** How often each changeId was answered (retries included). */
  readonly answers = new Map<string, number>();
  /** First answers decided on the version the sync's own earlier changes left (a figure for the log). */
  rebased = 0;

  readonly profile: {
    version: number;
    values: Record<'displayName' | 'bio', string | null>;
    times: Partial<Record<'displayName' | 'bio', string>>;
  };
  progress: number | null = null;
  readonly checkpoint = { version: -1, winnerTime: null as string | null, passed: false, attempts: 0 };
  readonly posts: Map<string, { version: number; body: string }>;
  member = false;
  /** Whether the person ever had a membership of the club (a stream to read). */
  everMember = false;
  joined = 0;
  left = 0;
  /** Texts of the chat messages and replies applied, in order. */
  readonly messages: string[] = [];
  readonly replies: string[] = [];
  /** Conflict ids of the queued post edits. */
  readonly queued = new Map<string, string>();
  /**
   * What the current sync's own changes moved, by entity: the version before the first of them
   * (`from`) and the one the last left (`to`), as the push keeps them (push.ts, BatchMoves).
   */
  private readonly moves = new Map<string, { from: number; to: number }>();
  /** Per changeId first applied: the `from` its move had (what a later try counts it from). */
  private readonly movedFrom = new Map<string, number>();

  constructor(start: OracleStart) {
    this.profile = {
      version: start.profile.version,
      values: { displayName: start.profile.displayName, bio: start.profile.bio },
      times: { displayName: start.profile.displayNameTime },
    };
    this.posts = new Map(Object.entries(start.posts).map(([id, post]) => [id, { ...post }]));
  }

  /** A sync's answers follow, in the order its changes were sent: its own moves start afresh. */
  beginSync(): void {
    this.moves.clear();
  }

  /** One answer the server gave to `change` (seen by the device or dropped on the way). */
  observe(change: PendingChange, outcome: SyncOutcomeView): void {
    this.answers.set(change.changeId, (this.answers.get(change.changeId) ?? 0) + 1);
    const earlier = this.first.get(change.changeId);
    if (earlier) {
      const problem = retryProblem(earlier.outcome, outcome);
      if (problem) this.violate(change, problem);
      this.replayedMove(change, earlier.outcome);
      return;
    }
    this.first.set(change.changeId, { change, outcome });
    if (outcome.clientTimeClamped) this.violate(change, 'client time in the past reported as clamped');
    switch (change.type) {
      case 'profile.update':
        this.profileUpdate(change, outcome);
        break;
      case 'module.progress':
        this.moduleProgress(change, outcome);
        break;
      case 'checkpoint.answer':
        this.checkpointAnswer(change, outcome);
        break;
      case 'post.edit':
        this.postEdit(change, outcome);
        break;
      case 'community.join':
      case 'community.leave':
        this.membership(change, outcome);
        break;
      case 'community.reply':
        this.expectStatus(change, outcome, 'APPLIED');
        this.replies.push(String(change.payload.body));
        this.stored(change, true);
        break;
      case 'chat.message':
        this.expectStatus(change, outcome, 'APPLIED');
        this.messages.push(String(change.payload.text));
        this.stored(change, true);
        break;
      default:
        this.violate(change, 'a change type the simulation does not make');
    }
  }

  /** lastWriteWinsPerField: without a conflict the change applies; with one, field by field by client time. */
  private profileUpdate(change: PendingChange, outcome: SyncOutcomeView) {
    const fields = (['displayName', 'bio'] as const).filter((field) => change.payload[field] !== undefined);
    const own = this.ownMoves(change, this.profile.version);
    const conflict = !own && this.profile.version > change.baseVersion;
    const winning = conflict
      ? fields.filter((field) => later(change.clientTime, this.profile.times[field]))
      : fields;
    const expected =
      winning.length === fields.length ? 'APPLIED' : winning.length === 0 ? 'SUPERSEDED' : 'MERGED';
    this.expectStatus(change, outcome, expected);
    if (expected === 'SUPERSEDED') {
      this.expectValue(change, outcome, this.profile.values);
      return this.stored(change, false);
    }
    for (const field of winning) {
      this.profile.values[field] = change.payload[field] as string | null;
      this.profile.times[field] = change.clientTime;
    }
    this.expectValue(change, outcome, this.profile.values);
    const before = this.profile.version;
    this.profile.version = this.advance(change, outcome, before);
    this.moved(change, own, before, this.profile.version);
    this.stored(change, true);
  }

  /** serverWinsMaximum: a higher percent applies, the same one is already there, a lower one loses. */
  private moduleProgress(change: PendingChange, outcome: SyncOutcomeView) {
    const percent = Number(change.payload.percent);
    const max = this.progress;
    if (max !== null && percent < max) {
      this.expectStatus(change, outcome, 'SUPERSEDED');
      if (outcome.value?.percent !== max)
        this.violate(change, `superseded by ${JSON.stringify(outcome.value)}, expected percent ${max}`);
      return this.stored(change, false);
    }
    this.expectStatus(change, outcome, 'APPLIED');
    if (max !== null && percent === max) return this.stored(change, false);
    this.progress = percent;
    this.stores.push({
      change,
      events:
        percent === 100
          ? ['LearningModuleProgressed', 'LearningModuleCompleted']
          : ['LearningModuleProgressed'],
      queued: false,
    });
  }

  /**
   * lastWriteWinsByClientTime: without a conflict the attempt is decided (a passed checkpoint
   * refuses it); with one, a passed attempt or a later (or equal) client time on the server wins.
   */
  private checkpointAnswer(change: PendingChange, outcome: SyncOutcomeView) {
    const state = this.checkpoint;
    const conflict = state.version > change.baseVersion;
    const right =
      change.payload.answers !== undefined && JSON.stringify(change.payload.answers).includes('co2');
    if (conflict && (state.passed || !later(change.clientTime, state.winnerTime ?? undefined))) {
      this.expectStatus(change, outcome, 'SUPERSEDED');
      return this.stored(change, false);
    }
    if (state.passed) {
      this.expectStatus(change, outcome, 'REFUSED');
      if (outcome.error?.code !== 'ALREADY_PASSED')
        this.violate(change, `refused with ${outcome.error?.code}`);
      return this.stored(change, false);
    }
    this.expectStatus(change, outcome, 'APPLIED');
    state.attempts += 1;
    if (right) {
      state.passed = true;
      state.winnerTime = change.clientTime;
    } else if (later(change.clientTime, state.winnerTime ?? undefined)) {
      state.winnerTime = change.clientTime;
    }
    state.version = this.advance(change, outcome, state.version);
    if (outcome.value?.passed !== state.passed) {
      this.violate(change, `value ${JSON.stringify(outcome.value)}, expected passed ${state.passed}`);
    }
    this.stored(change, true);
  }

  /**
   * manualResolution: an edit of a post that moved on is queued, never applied; moved on only by
   * the sync's own earlier edits of it, it applies on what they left.
   */
  private postEdit(change: PendingChange, outcome: SyncOutcomeView) {
    const post = this.posts.get(change.entityId);
    if (!post) return this.violate(change, 'an edit of a post the simulation does not follow');
    const own = this.ownMoves(change, post.version);
    if (!own && post.version > change.baseVersion) {
      this.expectStatus(change, outcome, 'QUEUED');
      if (!outcome.conflictId) this.violate(change, 'queued without a conflictId');
      else this.queued.set(change.changeId, outcome.conflictId);
      this.stores.push({ change, events: [], queued: true });
      return;
    }
    this.expectStatus(change, outcome, 'APPLIED');
    post.body = String(change.payload.body);
    const before = post.version;
    post.version = this.advance(change, outcome, before);
    this.moved(change, own, before, post.version);
    this.stored(change, true);
  }

  /**
   * Whether the entity moved past the change's baseVersion only through this sync's earlier
   * changes (or not at all since the first of them): the push then decides it on `version`.
   */
  private ownMoves(change: PendingChange, version: number): boolean {
    const moved = this.moves.get(movedKey(change));
    const own = moved !== undefined && moved.to === version && change.baseVersion >= moved.from;
    if (own && version > change.baseVersion) this.rebased += 1;
    return own;
  }

  /** A change of this sync stored a new version of its entity (applied or merged). */
  private moved(change: PendingChange, own: boolean, before: number, now: number) {
    const key = movedKey(change);
    const from = own ? (this.moves.get(key)?.from ?? before) : before;
    this.moves.set(key, { from, to: now });
    this.movedFrom.set(change.changeId, from);
  }

  /**
   * A change answered again from its receipt (an earlier try of this sync was answered, the
   * reply lost): an APPLIED one counts as the sync's own move, to the version it reported first,
   * from where its first try counted it (an edit that won a conflict moved the entity from the
   * version it met, not from its baseVersion: what moved it before is not the sync's own). A
   * MERGED one does not count (the push notes only applied receipts; after a merge no later
   * change of the same base rebases anyway, the conflict's version being past it).
   */
  private replayedMove(change: PendingChange, first: SyncOutcomeView) {
    if (!REBASED.has(change.type) || first.status !== 'APPLIED' || first.version === null) return;
    const counted = this.movedFrom.get(change.changeId);
    if (counted === undefined) return;
    const key = movedKey(change);
    const from = Math.min(this.moves.get(key)?.from ?? counted, counted);
    this.moves.set(key, { from, to: first.version });
  }

  /**
   * serverWinsWithNotice on the person's own membership: decided again against the membership
   * now, so joining as a member and leaving as one who left store nothing, and the last change
   * pushed (but a leave before any join) says where they stand.
   */
  private membership(change: PendingChange, outcome: SyncOutcomeView) {
    const join = change.type === 'community.join';
    // Leaving a community one never joined is no leave at all: nothing on the server to compare.
    if (!join && !this.everMember) {
      this.expectStatus(change, outcome, 'REFUSED');
      if (outcome.error?.code !== 'NOT_A_MEMBER') this.violate(change, `refused with ${outcome.error?.code}`);
      return;
    }
    this.expectStatus(change, outcome, 'APPLIED');
    if (join) this.everMember = true;
    if (join !== this.member) {
      if (join) this.joined += 1;
      else this.left += 1;
    }
    this.member = join;
  }

  private advance(change: PendingChange, outcome: SyncOutcomeView, before: number): number {
    if (outcome.version === null || outcome.version <= before) {
      this.violate(change, `stored, yet the version went from ${before} to ${outcome.version}`);
      return before;
    }
    return outcome.version;
  }

  private stored(change: PendingChange, stored: boolean) {
    const events = APPLIED_EVENT_TYPES[change.type];
    if (events) this.stores.push({ change, events: stored ? events : [], queued: false });
  }

  private expectStatus(change: PendingChange, outcome: SyncOutcomeView, status: SyncOutcomeView['status']) {
    if (outcome.status !== status) {
      this.violate(
        change,
        `expected ${status}, answered ${outcome.status}${outcome.error ? ` ${outcome.error.category}/${outcome.error.code}` : ''}`,
      );
    }
  }

  private expectValue(change: PendingChange, outcome: SyncOutcomeView, value: Record<string, unknown>) {
    const got = Object.fromEntries(Object.keys(value).map((field) => [field, outcome.value?.[field]]));
    if (JSON.stringify(got) !== JSON.stringify(value)) {
      this.violate(change, `value ${JSON.stringify(outcome.value)}, expected ${JSON.stringify(value)}`);
    }
  }

  violate(change: PendingChange, problem: string) {
    this.violations.push(
      `${change.changeId} (${change.type} base ${change.baseVersion} at ${change.clientTime} ${JSON.stringify(change.payload)}): ${problem}`,
    );
  }
}

/** JSON with object keys sorted: a stored outcome (jsonb) comes back with its keys reordered. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner !== null && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(
          Object.entries(inner as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
        )
      : inner,
  );
}

/**
 * What is wrong with a retry's answer, if anything. The decision is repeated exactly (status,
 * conflict, refusal); the receipt keeps no value (people's words stay where erasure reaches them),
 * so a retry reports the entity's version and value as they stand now: never older than the first.
 */
export function retryProblem(
  first: Pick<SyncOutcomeView, 'status' | 'conflictId' | 'error' | 'version'>,
  retry: Pick<SyncOutcomeView, 'status' | 'conflictId' | 'error' | 'version'>,
): string | null {
  const decision = (outcome: typeof first) =>
    canonicalJson({
      status: outcome.status,
      conflictId: outcome.conflictId,
      error: outcome.error?.code ?? null,
    });
  if (decision(first) !== decision(retry)) {
    return `decided ${decision(first)} first, then ${decision(retry)} on a retry`;
  }
  if ((first.version ?? -1) > (retry.version ?? -1)) {
    return `at version ${first.version} first, then at ${retry.version} on a retry`;
  }
  return null;
}
