import { describe, expect, it } from 'vitest';
import type { BrandCommand } from '../../../src/domain/brands/brand-commands.ts';
import { brandAggregate, brandDecider } from '../../../src/domain/brands/brand-decider.ts';
import { type BrandEvent, brandEventCatalogue } from '../../../src/domain/brands/brand-events.ts';
import { brandStream } from '../../../src/domain/brands/streams.ts';
import { fold } from '../../../src/domain/shared/decider.ts';
import { anIntegration, asUser, by, theSystem } from '../support/actors.ts';
import { deciderSpec } from '../support/decider-spec.ts';
import {
  BRAND_ADMIN_ID,
  BRAND_ID,
  brandArchived,
  brandCreated,
  CLAIM_ID,
  CREATOR_ID,
  claimAdded,
  claimRemoved,
  EDITOR_ID,
  FEED_CHANNEL_ID,
  INVITATION_ID,
  INVITEE_HASH,
  invitationSent,
  memberAdded,
  newBrand,
  now,
  OUTSIDER_ID,
  settings,
  staffedBrand,
  VIEWER_ID,
  WEBHOOK_CHANNEL_ID,
} from './brand-fixtures.ts';

const spec = deciderSpec(brandDecider);

const platformAdmin = by(asUser(CREATOR_ID, 'admin'), now);
/** A brand admin who holds no platform role. */
const brandAdmin = by(asUser(BRAND_ADMIN_ID), now);
const editor = by(asUser(EDITOR_ID), now);
const viewer = by(asUser(VIEWER_ID), now);
const outsider = by(asUser(OUTSIDER_ID), now);
const saga = by(theSystem('publishing'), now);

const create = (overrides: Partial<Extract<BrandCommand, { type: 'CreateBrand' }>> = {}): BrandCommand => ({
  type: 'CreateBrand',
  brandId: BRAND_ID,
  ...settings(),
  ...overrides,
});

/** One valid instance of every command on an existing brand. */
const COMMANDS_ON_A_BRAND: { name: BrandCommand['type']; command: BrandCommand }[] = [
  { name: 'UpdateBrand', command: { type: 'UpdateBrand', changes: { name: 'Crunchy Oats UK' } } },
  { name: 'ArchiveBrand', command: { type: 'ArchiveBrand', reason: 'Discontinued' } },
  { name: 'AddBrandMember', command: { type: 'AddBrandMember', userId: OUTSIDER_ID, role: 'editor' } },
  {
    name: 'ChangeBrandMemberRole',
    command: { type: 'ChangeBrandMemberRole', userId: EDITOR_ID, role: 'approver' },
  },
  { name: 'RemoveBrandMember', command: { type: 'RemoveBrandMember', userId: EDITOR_ID } },
  {
    name: 'AddMasterClaim',
    command: { type: 'AddMasterClaim', claimId: CLAIM_ID, country: 'GB', text: 'High in fibre' },
  },
  { name: 'RemoveMasterClaim', command: { type: 'RemoveMasterClaim', claimId: CLAIM_ID } },
  {
    name: 'InviteBrandMember',
    command: {
      type: 'InviteBrandMember',
      invitationId: INVITATION_ID,
      emailHash: INVITEE_HASH,
      emailHint: 'i•••@example.org',
      role: 'editor',
      inviteeUserId: null,
    },
  },
  { name: 'RevokeBrandInvitation', command: { type: 'RevokeBrandInvitation', invitationId: INVITATION_ID } },
];

describe('CreateBrand', () => {
  it('creates the brand and makes its creator a brand admin', () => {
    spec
      .given([])
      .when(create(), platformAdmin)
      .then([brandCreated(), memberAdded(CREATOR_ID, 'admin')]);
  });

  it('starts the settings it is not given empty', () => {
    spec
      .given([])
      .when(
        { type: 'CreateBrand', brandId: BRAND_ID, name: 'Crunchy Oats', country: 'GB', language: 'en' },
        platformAdmin,
      )
      .then([
        {
          type: 'BrandCreated',
          data: {
            brandId: BRAND_ID,
            name: 'Crunchy Oats',
            description: '',
            identity: { toneOfVoice: '', guardrails: [], colours: [], logoUrl: null },
            country: 'GB',
            language: 'en',
            allowedContentTypes: [],
            workflow: { steps: [] },
            channels: [],
            createdBy: CREATOR_ID,
          },
        },
        memberAdded(CREATOR_ID, 'admin'),
      ]);
  });

  it.each([
    ['a user', asUser(OUTSIDER_ID)],
    ['a creator', asUser(OUTSIDER_ID, 'creator')],
    ['a moderator', asUser(OUTSIDER_ID, 'moderator')],
    ['the system', theSystem('publishing')],
    ["an admin's API key", anIntegration(CREATOR_ID, ['graphql:write'])],
  ])('is refused to %s: only platform admins create brands', (_who, actor) => {
    spec.given([]).when(create(), by(actor, now)).thenThrows('FORBIDDEN', 'ADMIN_ONLY');
  });

  it('refuses a brand id already taken', () => {
    spec.given(newBrand()).when(create(), platformAdmin).thenThrows('CONFLICT', 'BRAND_EXISTS');
  });

  const base = settings();
  it.each<[string, Partial<Extract<BrandCommand, { type: 'CreateBrand' }>>, string]>([
    ['an empty name', { name: '   ' }, 'INVALID_NAME'],
    ['a name over 100 characters', { name: 'x'.repeat(101) }, 'INVALID_NAME'],
    ['a lower-case country', { country: 'gb' }, 'INVALID_COUNTRY'],
    ['a three-letter country', { country: 'GBR' }, 'INVALID_COUNTRY'],
    ['a language that is no tag', { language: 'English' }, 'INVALID_LANGUAGE'],
    [
      'a colour that is not #rrggbb',
      { identity: { ...base.identity, colours: ['orange'] } },
      'INVALID_IDENTITY',
    ],
    [
      'a logo that is not http(s)',
      { identity: { ...base.identity, logoUrl: 'ftp://cdn.example.org/logo' } },
      'INVALID_IDENTITY',
    ],
    ['the same content type twice', { allowedContentTypes: ['article', 'article'] }, 'INVALID_CONTENT_TYPES'],
    [
      'eleven workflow steps',
      {
        workflow: {
          steps: Array.from({ length: 11 }, (_, index) => ({
            name: `Step ${index}`,
            role: 'approver' as const,
          })),
        },
      },
      'INVALID_WORKFLOW',
    ],
    ['a step without a name', { workflow: { steps: [{ name: '', role: 'approver' }] } }, 'INVALID_WORKFLOW'],
    [
      'a step an editor signs off',
      { workflow: { steps: [{ name: 'Copy check', role: 'editor' }] } },
      'INVALID_STEP_ROLE',
    ],
    [
      'a step a viewer signs off',
      { workflow: { steps: [{ name: 'Glance', role: 'viewer' }] } },
      'INVALID_STEP_ROLE',
    ],
    [
      'a webhook that is not http(s)',
      { channels: [{ channelId: WEBHOOK_CHANNEL_ID, kind: 'webhook', url: 'javascript:alert(1)' }] },
      'INVALID_CHANNELS',
    ],
    [
      'two channels with one id',
      {
        channels: [
          { channelId: FEED_CHANNEL_ID, kind: 'feed' },
          { channelId: FEED_CHANNEL_ID, kind: 'feed' },
        ],
      },
      'INVALID_CHANNELS',
    ],
  ])('refuses %s', (_what, overrides, reason) => {
    spec.given([]).when(create(overrides), platformAdmin).thenThrows('VALIDATION', reason);
  });

  it('accepts a workflow of ten steps and one without any', () => {
    const ten = {
      steps: Array.from({ length: 10 }, (_, index) => ({ name: `Step ${index}`, role: 'admin' as const })),
    };
    const [createdWithTen] = brandDecider.decide(
      create({ workflow: ten }),
      brandDecider.initialState,
      platformAdmin,
    );
    expect(createdWithTen).toMatchObject({ type: 'BrandCreated', data: { workflow: ten } });
    const [createdWithNone] = brandDecider.decide(
      create({ workflow: { steps: [] } }),
      brandDecider.initialState,
      platformAdmin,
    );
    expect(createdWithNone).toMatchObject({ type: 'BrandCreated', data: { workflow: { steps: [] } } });
  });
});

describe('commands on a brand', () => {
  it.each(COMMANDS_ON_A_BRAND)('$name needs the brand to exist', ({ command }) => {
    spec.given([]).when(command, platformAdmin).thenThrows('NOT_FOUND', 'BRAND_NOT_FOUND');
  });

  it.each(COMMANDS_ON_A_BRAND)('$name is refused once the brand is archived', ({ command }) => {
    spec
      .given([...staffedBrand(), claimAdded(), invitationSent(), brandArchived()])
      .when(command, brandAdmin)
      .thenThrows('CONFLICT', 'BRAND_ARCHIVED');
  });

  it.each(COMMANDS_ON_A_BRAND)('$name is refused to members who are not brand admins', ({ command }) => {
    for (const context of [editor, viewer, outsider]) {
      spec
        .given([...staffedBrand(), claimAdded(), invitationSent()])
        .when(command, context)
        .thenThrows('FORBIDDEN', 'BRAND_ADMIN_ONLY');
    }
  });

  it.each(COMMANDS_ON_A_BRAND)("$name is refused to a brand admin's read-only API key", ({ command }) => {
    spec
      .given([...staffedBrand(), claimAdded(), invitationSent()])
      .when(command, by(anIntegration(BRAND_ADMIN_ID, ['graphql:read']), now))
      .thenThrows('FORBIDDEN', 'BRAND_ADMIN_ONLY');
  });
});

describe('UpdateBrand', () => {
  it('records only the settings that change', () => {
    const steps = [{ name: 'Legal review', role: 'approver' as const }];
    spec
      .given(staffedBrand())
      .when(
        { type: 'UpdateBrand', changes: { name: 'Crunchy Oats UK', country: 'GB', workflow: { steps } } },
        brandAdmin,
      )
      .then([
        {
          type: 'BrandUpdated',
          data: { brandId: BRAND_ID, changes: { name: 'Crunchy Oats UK', workflow: { steps } } },
        },
      ]);
  });

  it('decides nothing when nothing changes', () => {
    spec
      .given(staffedBrand())
      .when({ type: 'UpdateBrand', changes: { ...settings() } }, brandAdmin)
      .thenNothing();
    spec.given(staffedBrand()).when({ type: 'UpdateBrand', changes: {} }, brandAdmin).thenNothing();
  });

  it('compares the identity by value, whatever order its keys come in', () => {
    const { identity } = settings();
    const reordered = {
      logoUrl: identity.logoUrl,
      colours: [...identity.colours],
      guardrails: [...identity.guardrails],
      toneOfVoice: identity.toneOfVoice,
    };
    spec
      .given(staffedBrand())
      .when({ type: 'UpdateBrand', changes: { identity: reordered } }, brandAdmin)
      .thenNothing();
  });

  it('applies to what the brand is after earlier updates', () => {
    const renamed: BrandEvent = {
      type: 'BrandUpdated',
      data: { brandId: BRAND_ID, changes: { name: 'Crunchy Oats UK' } },
    };
    spec
      .given([...staffedBrand(), renamed])
      .when({ type: 'UpdateBrand', changes: { name: 'Crunchy Oats UK' } }, brandAdmin)
      .thenNothing();
    spec
      .given([...staffedBrand(), renamed])
      .when({ type: 'UpdateBrand', changes: { name: 'Crunchy Oats' } }, brandAdmin)
      .then([{ type: 'BrandUpdated', data: { brandId: BRAND_ID, changes: { name: 'Crunchy Oats' } } }]);
  });

  it('is open to platform admins and the system, members or not', () => {
    const command: BrandCommand = { type: 'UpdateBrand', changes: { description: 'Cereals' } };
    const expected: BrandEvent[] = [
      { type: 'BrandUpdated', data: { brandId: BRAND_ID, changes: { description: 'Cereals' } } },
    ];
    spec
      .given(staffedBrand())
      .when(command, by(asUser(OUTSIDER_ID, 'admin'), now))
      .then(expected);
    spec.given(staffedBrand()).when(command, saga).then(expected);
  });

  it('validates each change as creation does', () => {
    spec
      .given(staffedBrand())
      .when({ type: 'UpdateBrand', changes: { language: 'en_GB' } }, brandAdmin)
      .thenThrows('VALIDATION', 'INVALID_LANGUAGE');
    spec
      .given(staffedBrand())
      .when(
        { type: 'UpdateBrand', changes: { workflow: { steps: [{ name: 'Proofread', role: 'editor' }] } } },
        brandAdmin,
      )
      .thenThrows('VALIDATION', 'INVALID_STEP_ROLE');
  });
});

describe('ArchiveBrand', () => {
  it('archives the brand with the reason given', () => {
    spec
      .given(staffedBrand())
      .when({ type: 'ArchiveBrand', reason: 'Discontinued' }, brandAdmin)
      .then([
        {
          type: 'BrandArchived',
          data: { brandId: BRAND_ID, archivedBy: BRAND_ADMIN_ID, reason: 'Discontinued' },
        },
      ]);
  });

  it('records the system process when a saga archives', () => {
    spec
      .given(staffedBrand())
      .when({ type: 'ArchiveBrand' }, saga)
      .then([
        { type: 'BrandArchived', data: { brandId: BRAND_ID, archivedBy: 'system:publishing', reason: null } },
      ]);
  });

  it('refuses archiving twice', () => {
    spec
      .given([...staffedBrand(), brandArchived()])
      .when({ type: 'ArchiveBrand' }, brandAdmin)
      .thenThrows('CONFLICT', 'BRAND_ARCHIVED');
  });
});

describe('members', () => {
  it('adds a member with a role', () => {
    spec
      .given(staffedBrand())
      .when({ type: 'AddBrandMember', userId: OUTSIDER_ID, role: 'approver' }, brandAdmin)
      .then([memberAdded(OUTSIDER_ID, 'approver', BRAND_ADMIN_ID)]);
  });

  it("records an API key's owner as the one who acted", () => {
    spec
      .given(staffedBrand())
      .when(
        { type: 'AddBrandMember', userId: OUTSIDER_ID, role: 'viewer' },
        by(anIntegration(BRAND_ADMIN_ID, ['graphql:write']), now),
      )
      .then([memberAdded(OUTSIDER_ID, 'viewer', BRAND_ADMIN_ID)]);
  });

  it('refuses adding someone who is already a member', () => {
    spec
      .given(staffedBrand())
      .when({ type: 'AddBrandMember', userId: VIEWER_ID, role: 'editor' }, brandAdmin)
      .thenThrows('CONFLICT', 'MEMBER_EXISTS');
  });

  it("changes a member's role", () => {
    spec
      .given(staffedBrand())
      .when({ type: 'ChangeBrandMemberRole', userId: EDITOR_ID, role: 'approver' }, brandAdmin)
      .then([
        {
          type: 'BrandMemberRoleChanged',
          data: { brandId: BRAND_ID, userId: EDITOR_ID, role: 'approver', changedBy: BRAND_ADMIN_ID },
        },
      ]);
  });

  it('decides nothing when the role is the one they hold', () => {
    spec
      .given(staffedBrand())
      .when({ type: 'ChangeBrandMemberRole', userId: EDITOR_ID, role: 'editor' }, brandAdmin)
      .thenNothing();
  });

  it('demotes an admin while another admin remains', () => {
    spec
      .given(staffedBrand())
      .when({ type: 'ChangeBrandMemberRole', userId: CREATOR_ID, role: 'approver' }, brandAdmin)
      .then([
        {
          type: 'BrandMemberRoleChanged',
          data: { brandId: BRAND_ID, userId: CREATOR_ID, role: 'approver', changedBy: BRAND_ADMIN_ID },
        },
      ]);
  });

  it('never demotes the last brand admin, not even at a platform admin’s request', () => {
    spec
      .given(newBrand())
      .when({ type: 'ChangeBrandMemberRole', userId: CREATOR_ID, role: 'editor' }, platformAdmin)
      .thenThrows('CONFLICT', 'LAST_ADMIN');
  });

  it('removes a member', () => {
    spec
      .given(staffedBrand())
      .when({ type: 'RemoveBrandMember', userId: VIEWER_ID }, brandAdmin)
      .then([
        {
          type: 'BrandMemberRemoved',
          data: { brandId: BRAND_ID, userId: VIEWER_ID, removedBy: BRAND_ADMIN_ID },
        },
      ]);
  });

  it('removes an admin while another admin remains, and then not the last one', () => {
    const removed: BrandEvent = {
      type: 'BrandMemberRemoved',
      data: { brandId: BRAND_ID, userId: CREATOR_ID, removedBy: BRAND_ADMIN_ID },
    };
    spec
      .given(staffedBrand())
      .when({ type: 'RemoveBrandMember', userId: CREATOR_ID }, brandAdmin)
      .then([removed]);
    spec
      .given([...staffedBrand(), removed])
      .when({ type: 'RemoveBrandMember', userId: BRAND_ADMIN_ID }, brandAdmin)
      .thenThrows('CONFLICT', 'LAST_ADMIN');
  });

  it('counts a demoted admin out', () => {
    const demoted: BrandEvent = {
      type: 'BrandMemberRoleChanged',
      data: { brandId: BRAND_ID, userId: CREATOR_ID, role: 'viewer', changedBy: BRAND_ADMIN_ID },
    };
    spec
      .given([...staffedBrand(), demoted])
      .when({ type: 'RemoveBrandMember', userId: BRAND_ADMIN_ID }, brandAdmin)
      .thenThrows('CONFLICT', 'LAST_ADMIN');
  });

  it.each([
    ['ChangeBrandMemberRole', { type: 'ChangeBrandMemberRole', userId: OUTSIDER_ID, role: 'editor' }],
    ['RemoveBrandMember', { type: 'RemoveBrandMember', userId: OUTSIDER_ID }],
  ] as const)('%s needs the user to be a member', (_name, command) => {
    spec.given(staffedBrand()).when(command, brandAdmin).thenThrows('NOT_FOUND', 'MEMBER_NOT_FOUND');
  });

  it('lets a removed member be added again', () => {
    const removed: BrandEvent = {
      type: 'BrandMemberRemoved',
      data: { brandId: BRAND_ID, userId: VIEWER_ID, removedBy: BRAND_ADMIN_ID },
    };
    spec
      .given([...staffedBrand(), removed])
      .when({ type: 'AddBrandMember', userId: VIEWER_ID, role: 'editor' }, brandAdmin)
      .then([memberAdded(VIEWER_ID, 'editor', BRAND_ADMIN_ID)]);
  });
});

describe('master claims', () => {
  it('adds a claim for a country', () => {
    spec
      .given(staffedBrand())
      .when(
        { type: 'AddMasterClaim', claimId: CLAIM_ID, country: 'GB', text: '  High in fibre ' },
        brandAdmin,
      )
      .then([
        {
          type: 'MasterClaimAdded',
          data: {
            brandId: BRAND_ID,
            claimId: CLAIM_ID,
            country: 'GB',
            text: 'High in fibre',
            addedBy: BRAND_ADMIN_ID,
          },
        },
      ]);
  });

  it('never reuses a claim id, not even after the claim was removed', () => {
    const command: BrandCommand = {
      type: 'AddMasterClaim',
      claimId: CLAIM_ID,
      country: 'FR',
      text: 'Riche en fibres',
    };
    spec
      .given([...staffedBrand(), claimAdded()])
      .when(command, brandAdmin)
      .thenThrows('CONFLICT', 'CLAIM_EXISTS');
    spec
      .given([...staffedBrand(), claimAdded(), claimRemoved()])
      .when(command, brandAdmin)
      .thenThrows('CONFLICT', 'CLAIM_EXISTS');
  });

  it('validates the country and the text', () => {
    spec
      .given(staffedBrand())
      .when(
        { type: 'AddMasterClaim', claimId: CLAIM_ID, country: 'Britain', text: 'High in fibre' },
        brandAdmin,
      )
      .thenThrows('VALIDATION', 'INVALID_COUNTRY');
    spec
      .given(staffedBrand())
      .when({ type: 'AddMasterClaim', claimId: CLAIM_ID, country: 'GB', text: ' ' }, brandAdmin)
      .thenThrows('VALIDATION', 'INVALID_CLAIM_TEXT');
    spec
      .given(staffedBrand())
      .when({ type: 'AddMasterClaim', claimId: CLAIM_ID, country: 'GB', text: 'x'.repeat(2001) }, brandAdmin)
      .thenThrows('VALIDATION', 'INVALID_CLAIM_TEXT');
  });

  it('removes a claim once; removing it again decides nothing', () => {
    spec
      .given([...staffedBrand(), claimAdded()])
      .when({ type: 'RemoveMasterClaim', claimId: CLAIM_ID }, brandAdmin)
      .then([
        {
          type: 'MasterClaimRemoved',
          data: { brandId: BRAND_ID, claimId: CLAIM_ID, removedBy: BRAND_ADMIN_ID },
        },
      ]);
    spec
      .given([...staffedBrand(), claimAdded(), claimRemoved()])
      .when({ type: 'RemoveMasterClaim', claimId: CLAIM_ID }, brandAdmin)
      .thenNothing();
  });

  it('refuses removing a claim the brand never had', () => {
    spec
      .given(staffedBrand())
      .when({ type: 'RemoveMasterClaim', claimId: CLAIM_ID }, brandAdmin)
      .thenThrows('NOT_FOUND', 'CLAIM_NOT_FOUND');
  });
});

describe('brand state', () => {
  it('folds settings, members and claims from the history', () => {
    const state = fold(brandDecider, [
      ...staffedBrand(),
      {
        type: 'BrandUpdated',
        data: { brandId: BRAND_ID, changes: { name: 'Crunchy Oats UK', language: 'en' } },
      },
      {
        type: 'BrandMemberRoleChanged',
        data: { brandId: BRAND_ID, userId: EDITOR_ID, role: 'approver', changedBy: CREATOR_ID },
      },
      { type: 'BrandMemberRemoved', data: { brandId: BRAND_ID, userId: VIEWER_ID, removedBy: CREATOR_ID } },
      claimAdded(),
      claimRemoved(),
      brandArchived(),
    ]);
    expect(state).toEqual({
      ...settings(),
      name: 'Crunchy Oats UK',
      language: 'en',
      brandId: BRAND_ID,
      createdBy: CREATOR_ID,
      status: 'archived',
      members: { [CREATOR_ID]: 'admin', [BRAND_ADMIN_ID]: 'admin', [EDITOR_ID]: 'approver' },
      claims: { [CLAIM_ID]: { claimId: CLAIM_ID, country: 'GB', text: 'High in fibre', removed: true } },
      invitations: {},
    });
  });
});

describe('brand events', () => {
  it('are what the catalogue stores: every decided event parses against its schema', () => {
    const histories: [BrandEvent[], BrandCommand][] = [
      [[], create()],
      ...COMMANDS_ON_A_BRAND.filter(
        ({ name }) => name !== 'RemoveMasterClaim' && name !== 'RevokeBrandInvitation',
      ).map(({ command }): [BrandEvent[], BrandCommand] => [staffedBrand(), command]),
      [[...staffedBrand(), claimAdded()], { type: 'RemoveMasterClaim', claimId: CLAIM_ID }],
    ];
    for (const [history, command] of histories) {
      const events = brandDecider.decide(command, fold(brandDecider, history), platformAdmin);
      expect(events.length).toBeGreaterThan(0);
      for (const event of events) {
        const definition = brandEventCatalogue[event.type];
        expect(definition.schemaVersion).toBe(1);
        expect(definition.schema.parse(event.data)).toEqual(event.data);
      }
    }
  });

  it('show integrators every field but an invitee address’s hash and hint: nothing is encrypted', () => {
    for (const definition of Object.values(brandEventCatalogue)) {
      expect(definition.personalFields).toBeUndefined();
      expect(definition.publicFields?.length).toBeGreaterThan(0);
      expect(definition.publicFields).not.toContain('emailHash');
      expect(definition.publicFields).not.toContain('emailHint');
    }
    expect(brandEventCatalogue.BrandCreated.publicFields).toEqual([
      'name',
      'description',
      'identity',
      'country',
      'language',
      'allowedContentTypes',
      'workflow',
      'channels',
      'brandId',
      'createdBy',
    ]);
    expect(brandEventCatalogue.BrandMemberAdded.publicFields).toEqual([
      'brandId',
      'userId',
      'role',
      'addedBy',
    ]);
  });

  it('pairs the decider with its catalogue for the command pipeline', () => {
    expect(brandStream(BRAND_ID)).toBe(`brand-${BRAND_ID}`);
    expect(brandAggregate.decider).toBe(brandDecider);
    expect(brandAggregate.catalogue).toBe(brandEventCatalogue);
  });
});
