import { describe, expect, it } from 'vitest';
import type { SyncChange } from '../../../src/domain/sync/outcomes.ts';
import { changeFingerprint } from '../../../src/services/sync/push/receipts.ts';

const sent: SyncChange = {
  changeId: 'phone-0001',
  type: 'post.edit',
  entityId: '6f1c2a4e-0b7d-4f51-9a43-2a1c9e1d6b30',
  baseVersion: 3,
  clientTime: '2026-12-07T10:00:00.000+02:00',
  payload: { title: 'Leaves', body: 'How do leaves breathe?' },
};

describe('changeFingerprint', () => {
  it('is the same for the same change, whatever the order of its payload fields', () => {
    const reordered = { ...sent, payload: { body: 'How do leaves breathe?', title: 'Leaves' } };
    expect(changeFingerprint(reordered)).toBe(changeFingerprint(sent));
  });

  it('differs when anything the device said differs', () => {
    const variants: SyncChange[] = [
      { ...sent, changeId: 'phone-0002' },
      { ...sent, type: 'community.reply' },
      { ...sent, entityId: '7f1c2a4e-0b7d-4f51-9a43-2a1c9e1d6b30' },
      { ...sent, baseVersion: 4 },
      { ...sent, clientTime: '2026-12-07T10:00:01.000+02:00' },
      { ...sent, payload: { ...sent.payload, body: 'How do roots drink?' } },
      { ...sent, payload: { body: 'How do leaves breathe?' } },
    ];
    const fingerprints = new Set([sent, ...variants].map(changeFingerprint));
    expect(fingerprints.size).toBe(variants.length + 1);
  });
});
