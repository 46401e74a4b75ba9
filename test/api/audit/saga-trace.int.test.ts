import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentStream } from '../../../src/domain/content/streams.ts';
import { PUBLISHING_PROCESS } from '../../../src/workflows/publishing/ids.ts';
import {
  approvedArticle,
  brandWith,
  type PublishingHarness,
  requestPublish,
  sagaOf,
  startPublishingHarness,
} from '../../workflows/publishing/support/harness.ts';
import type { TestUser } from '../support/identity-operations.ts';
import { allPages, auditIndexCaughtUp, HISTORY, makeAuditor, TRACE } from './support.ts';

describe('trace of a request that started a saga', () => {
  let h: PublishingHarness;
  let auditor: TestUser;
  beforeAll(async () => {
    h = await startPublishingHarness();
    auditor = await makeAuditor(h.api, h.team.admin);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('shows the approver`s publish request and then every step the publishing saga recorded, in order', async () => {
    const { team } = await brandWith(h, [{ kind: 'feed' }]);
    const content = await approvedArticle(h, team);
    const publicationId = await requestPublish(h, team, content.id);
    const saga = await sagaOf(h, content.id, publicationId);
    expect(await saga.result()).toMatchObject({ outcome: 'published' });

    const history = await allPages(
      h.api,
      HISTORY,
      'history',
      { stream: contentStream(content.id), first: 50 },
      auditor.accessToken,
    );
    const requested = history.nodes.find((node) => node.type === 'ContentPublishRequested');
    expect(requested?.actor).toBe(`user:${team.approver.id}`);
    await auditIndexCaughtUp(h.api);
    const { nodes } = await allPages(
      h.api,
      TRACE,
      'trace',
      { correlationId: requested?.correlationId, first: 5 },
      auditor.accessToken,
    );

    expect(nodes[0]?.id).toBe(requested?.id);
    const sagaEvents = nodes.slice(1);
    expect(sagaEvents.length).toBeGreaterThan(3);
    expect(new Set(sagaEvents.map((node) => node.actor))).toEqual(new Set([`system:${PUBLISHING_PROCESS}`]));
    const types = sagaEvents.map((node) => node.type);
    for (const type of [
      'ContentPublishStepRecorded',
      'ContentMetadataGenerated',
      'ContentChannelPublished',
    ]) {
      expect(types).toContain(type);
    }
    expect(types.at(-1)).toBe('ContentPublished');
    // Across streams: the compliance check and the metadata are AI generations of their own.
    const streams = new Set(sagaEvents.map((node) => node.streamName.split('-')[0]));
    expect(streams).toEqual(new Set(['content', 'aigeneration']));
    expect(types.filter((type) => type === 'AIGenerationCompleted')).toHaveLength(2);
    // The content's part is exactly its own history from the request on, in the same order.
    const fromRequest = history.nodes.slice(history.nodes.findIndex((node) => node.id === requested?.id));
    expect(
      nodes.filter((node) => node.streamName === contentStream(content.id)).map((node) => node.id),
    ).toEqual(
      fromRequest.filter((node) => node.correlationId === requested?.correlationId).map((node) => node.id),
    );
    // Each step the saga recorded on the content names what caused it: the request's event.
    const onContent = sagaEvents.filter((node) => node.streamName === contentStream(content.id));
    expect(onContent.every((node) => node.causationId === requested?.id)).toBe(true);
    const positions = nodes.map((node) => BigInt(node.position));
    expect([...positions].sort((a, b) => (a < b ? -1 : 1))).toEqual(positions);
  });
});
