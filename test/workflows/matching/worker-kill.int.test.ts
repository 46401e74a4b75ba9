import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { loadAggregate } from '../../../src/commands/load-aggregate.ts';
import { mentorProfileAggregate } from '../../../src/domain/mentorship/mentor-profile-decider.ts';
import { mentorStream } from '../../../src/domain/mentorship/streams.ts';
import { TEST_AUTH_SECRET } from '../../api/support/identity-app.ts';
import { cleanEnv } from '../../support/cli.ts';
import { executionsOf, runIdOf } from '../fixtures/harness.ts';
import { type MatchingHarness, sagaOf, startMatchingHarness } from './support/harness.ts';
import {
  accept,
  freshSubject,
  learnerOf,
  mentorOf,
  mentorOfId,
  offerOf,
  requestEvents,
  requestMatch,
  storyOf,
} from './support/mentorship.ts';

const WORKER_PROCESS = fileURLToPath(new URL('./support/worker-process.ts', import.meta.url));

/** Long enough that the offer never expires: the answer comes from the mentor. */
const OFFER_TIMEOUT_MS = 60_000;

let h: MatchingHarness;
let bundleDir: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  h = await startMatchingHarness({ offerTimeoutMs: OFFER_TIMEOUT_MS });
  // No worker in this process at first: the saga starts on the one that will be killed.
  await h.stopWorkers();
  bundleDir = await mkdtemp(path.join(tmpdir(), 'chronicle-matching-bundle-'));
  await writeFile(path.join(bundleDir, 'workflows.js'), h.bundle.code);
});
afterAll(async () => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await h?.close();
  if (bundleDir) await rm(bundleDir, { recursive: true, force: true });
});

/** A matching worker in a child process (same bundle, same database, this file's queue), once it polls. */
async function spawnWorker(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER_PROCESS], {
    env: cleanEnv({
      DATABASE_URL: h.api.databaseUrl,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TASK_QUEUE: h.taskQueue,
      BUNDLE_PATH: path.join(bundleDir, 'workflows.js'),
      AUTH_SECRET: TEST_AUTH_SECRET,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  await vi.waitFor(
    () => {
      if (child.exitCode !== null) throw new Error(`the worker process exited early:\n${output}`);
      expect(output).toContain('ready');
    },
    { timeout: 20_000, interval: 50 },
  );
  return child;
}

async function mentorEventTypes(mentorId: string): Promise<string[]> {
  const { events } = await loadAggregate(
    { store: h.api.runtime.store, codec: h.api.runtime.codec },
    mentorProfileAggregate,
    mentorStream(mentorId),
  );
  return events.map((loaded) => loaded.event.type);
}

describe('the matching saga on a worker that is killed', () => {
  it('resumes on a new worker after SIGKILL while waiting for the answer, and matches with each command recorded once', async () => {
    const subject = freshSubject();
    const mentorId = await mentorOf(h, subject);
    const learnerId = await learnerOf(h, subject);
    const doomed = await spawnWorker();
    const requestId = await requestMatch(h, learnerId, subject);
    const saga = await sagaOf(h, requestId);
    const offer = await offerOf(h, requestId, 1);
    expect(offer.mentorId).toBe(mentorId);
    // The saga reported the offer and sits in its wait (the query is answered by the child).
    await vi.waitFor(async () => expect((await saga.progress()).state).toBe('awaiting_answer'), {
      timeout: 15_000,
      interval: 50,
    });
    const runId = await runIdOf(h.client, saga.handle.workflowId);

    const exited = once(doomed, 'exit');
    doomed.kill('SIGKILL');
    const [, signal] = await exited;
    expect(signal).toBe('SIGKILL');

    // The mentor accepts while no worker runs: the command is recorded, Temporal keeps the signal.
    await accept(h, requestId, offer);
    await vi.waitFor(
      async () => {
        const { events } = await saga.handle.fetchHistory();
        expect((events ?? []).some((event) => event.workflowExecutionSignaledEventAttributes)).toBe(true);
      },
      { timeout: 15_000, interval: 100 },
    );
    // Skip the 10 s Temporal would keep the next task on the dead worker's sticky queue.
    await h.resetStickyQueue(saga.handle.workflowId);
    const replacement = await h.startWorker();

    expect(await saga.result()).toMatchObject({ outcome: 'matched', mentorId, offers: 1, reason: null });
    await replacement.close();
    expect(await runIdOf(h.client, saga.handle.workflowId)).toBe(runId);
    expect(await executionsOf(h.client, saga.handle.workflowId)).toBe(1);
    // Every step once: nothing the dead worker did was done again.
    expect(storyOf(await requestEvents(h, requestId))).toEqual([
      'MatchRequested',
      'CandidatesRanked',
      'MentorOffered #1',
      'OfferAccepted #1',
      'MatchMade',
      'FirstSessionTimesProposed',
    ]);
    expect(await mentorEventTypes(mentorId)).toEqual(['MentorProfileUpserted', 'MenteeAdded']);
    expect((await mentorOfId(h, mentorId)).activeMentees).toBe(1);
  });
});
