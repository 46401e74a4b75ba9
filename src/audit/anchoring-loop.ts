import type { Config } from '../config.ts';
import type { EventStore } from '../eventstore/port.ts';
import type { Logger } from '../logger.ts';
import { type Anchor, type AnchorSigner, appendAnchor, collectNextRange, latestAnchor } from './anchors.ts';
import type { RootPublication } from './root-publication.ts';

export interface AnchoringSettings {
  /** Anchor as soon as this many events are unanchored (AUDIT_ANCHOR_EVERY_EVENTS); also the most one anchor covers. */
  everyEvents: number;
  /** Anchor whatever is unanchored once its oldest event is this old (AUDIT_ANCHOR_EVERY_MINUTES). */
  everyMs: number;
  /** How often the loop looks (default: 5 s, or `everyMs` if shorter). */
  pollMs?: number;
}

/** The anchoring cadence from the configuration. */
export function anchoringSettings(
  config: Pick<Config, 'AUDIT_ANCHOR_EVERY_EVENTS' | 'AUDIT_ANCHOR_EVERY_MINUTES'>,
): AnchoringSettings {
  return {
    everyEvents: config.AUDIT_ANCHOR_EVERY_EVENTS,
    everyMs: config.AUDIT_ANCHOR_EVERY_MINUTES * 60_000,
  };
}

export interface AnchorRoundResult {
  /** Anchors this round appended. */
  written: Anchor['fromPosition'][];
  /** True when another writer anchored a range first: it is the active writer for now. */
  lostRace: boolean;
}

/**
 * One round: appends anchors while a full range (`everyEvents`) is waiting, then one for the
 * rest if its oldest event has waited `everyMs` (or `force`). Everything is re-read from the
 * store each round (the last anchor, then the events after it), so a round after a crash, or in
 * a second projector process, carries on exactly where the chain ends.
 */
export async function anchorRound(
  store: EventStore,
  settings: Pick<AnchoringSettings, 'everyEvents' | 'everyMs'>,
  options: { now: Date; force?: boolean; signer?: AnchorSigner | undefined },
): Promise<AnchorRoundResult> {
  const written: bigint[] = [];
  // Read once: the next range continues from what this round wrote, not from a re-read (on
  // EventStoreDB a read may lag the append it follows).
  let previous: Pick<Anchor, 'toPosition'> | undefined = await latestAnchor(store);
  for (;;) {
    const next = await collectNextRange(store, previous, settings.everyEvents);
    if (!next) return { written, lostRace: false };
    const full = next.draft.eventCount >= settings.everyEvents;
    const due = options.now.getTime() - next.oldestAt.getTime() >= settings.everyMs;
    if (!full && !due && !options.force) return { written, lostRace: false };
    const result = await appendAnchor(store, next.draft, options.now, options.signer);
    if (!result.written) return { written, lostRace: true };
    written.push(next.draft.fromPosition);
    previous = next.draft;
    if (!full) return { written, lostRace: false };
  }
}

/**
 * Runs in the projector role. Several projector processes may run it at once: the anchor streams'
 * expected revision (`no_stream`) lets exactly one anchor per range through, and the loser of a
 * race simply finds the winner's anchor next round. That was preferred to a PostgreSQL advisory
 * lock: it holds with the EventStoreDB adapter too, and it does not depend on a lock outliving a
 * dropped connection; the cost of a lost race is one wasted read of at most `everyEvents` events.
 */
export class AnchoringLoop {
  private readonly controller = new AbortController();
  private running: Promise<void> | undefined;

  constructor(
    private readonly store: EventStore,
    private readonly settings: AnchoringSettings,
    private readonly log: Logger,
    private readonly extras: {
      /** Signs every anchor (AUDIT_SIGNING_KEY_FILE). */
      signer?: AnchorSigner | undefined;
      /** Publishes anchors outside the database after each round (AUDIT_PUBLISH_*). */
      publication?: RootPublication | undefined;
      clock?: () => Date;
    } = {},
  ) {}

  start(): void {
    this.running ??= this.run();
  }

  async stop(): Promise<void> {
    this.controller.abort();
    await this.running;
  }

  private async run(): Promise<void> {
    const { signal } = this.controller;
    const pollMs = this.settings.pollMs ?? Math.min(5_000, this.settings.everyMs);
    this.log.info(
      {
        everyEvents: this.settings.everyEvents,
        everyMs: this.settings.everyMs,
        signed: this.extras.signer !== undefined,
        published: this.extras.publication?.enabled ?? false,
      },
      'audit anchoring started',
    );
    let failures = 0;
    while (!signal.aborted) {
      try {
        const now = this.extras.clock?.() ?? new Date();
        const round = await anchorRound(this.store, this.settings, { now, signer: this.extras.signer });
        if (round.written.length > 0) {
          this.log.info({ anchors: round.written.length }, 'audit anchors appended');
        }
        // Every round, not only after writing: a target that failed last time catches up now.
        await this.extras.publication?.publishPending();
        failures = 0;
      } catch (error) {
        if (signal.aborted) return;
        failures++;
        this.log.error({ err: error, failures }, 'audit anchoring failed; retrying');
      }
      await sleep(failures === 0 ? pollMs : Math.min(60_000, pollMs * 2 ** failures), signal);
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
