import { describe, expect, it } from 'vitest';
import {
  type AttributionModel,
  type AttributionTouch,
  chooseTouch,
  decideAttribution,
  noTouchReason,
  type SignupFacts,
} from './attribution.ts';

const DAY = 86_400_000;
const at = new Date('2026-06-15T12:00:00Z');
const daysAgo = (days: number) => new Date(at.getTime() - days * DAY);

type TouchOverrides = Partial<Omit<AttributionTouch, 'program' | 'referrer'>> & {
  program?: Partial<AttributionTouch['program']>;
  referrer?: Partial<AttributionTouch['referrer']>;
};

const touch = ({ program, referrer, ...rest }: TouchOverrides = {}): AttributionTouch => ({
  source: 'click',
  touchId: 'clk_1',
  code: 'ALICE234',
  clickId: 'clk_1',
  touchedAt: daysAgo(1),
  ...rest,
  program: { id: 'prg_main', active: true, windowDays: 30, model: 'last_touch', ...program },
  referrer: {
    id: 'par_alice',
    externalId: 'alice',
    email: 'alice@example.com',
    status: 'active',
    ...referrer,
  },
});

// One builder per source, shaped like what gatherTouches produces for it.
const click = (o: TouchOverrides = {}) =>
  touch({ source: 'click', touchId: 'clk_1', clickId: 'clk_1', ...o });
const typedCode = (o: TouchOverrides = {}) =>
  touch({ source: 'code', touchId: null, clickId: null, touchedAt: null, ...o });
const invite = (o: TouchOverrides = {}) =>
  touch({ source: 'invite', touchId: 'inv_1', clickId: null, touchedAt: daysAgo(3), ...o });
const deviceMatch = (o: TouchOverrides = {}) =>
  touch({ source: 'device', touchId: 'clk_9', clickId: 'clk_9', touchedAt: daysAgo(2), ...o });

const bySource = { click, code: typedCode, invite, device: deviceMatch };

const signup = (overrides: Partial<SignupFacts> = {}): SignupFacts => ({
  customerExternalId: 'bob',
  customerEmail: 'bob@example.com',
  occurredAt: at,
  linkedToReferrer: false,
  alreadyReferred: false,
  ...overrides,
});

const choose = (touches: AttributionTouch[], programId: string | null = 'prg_main') =>
  chooseTouch(touches, at, programId);
const reasons = (touches: AttributionTouch[], programId: string | null = 'prg_main') =>
  choose(touches, programId).trail.considered.map((entry) => [entry.touch_id ?? entry.code, entry.reason]);

describe('chooseTouch', () => {
  describe('precedence between sources: click id > typed code > invite > device match', () => {
    it('credits the click id over a code typed at sign-up', () => {
      const clicked = click({ referrer: { id: 'par_alice' } });
      const typed = typedCode({ referrer: { id: 'par_carol' } });
      expect(choose([typed, clicked]).chosen).toBe(clicked);
    });

    it('credits the code typed at sign-up when cookies are blocked (no click)', () => {
      const typed = typedCode();
      expect(choose([typed, invite(), deviceMatch()]).chosen).toBe(typed);
    });

    it('credits an invite by email when the sign-up carries no link', () => {
      const invited = invite();
      expect(choose([deviceMatch(), invited]).chosen).toBe(invited);
    });

    it('falls back to a device match only when nothing stronger exists', () => {
      const device = deviceMatch();
      expect(choose([device]).chosen).toBe(device);
      expect(choose([device, invite()]).chosen?.source).toBe('invite');
    });

    it.each([
      ['click', 'code'],
      ['click', 'invite'],
      ['click', 'device'],
      ['code', 'invite'],
      ['code', 'device'],
      ['invite', 'device'],
    ] as const)('prefers %s over %s, whichever comes first', (stronger, weaker) => {
      const strong = bySource[stronger]();
      expect(choose([strong, bySource[weaker]()]).chosen).toBe(strong);
      expect(choose([bySource[weaker](), strong]).chosen).toBe(strong);
    });

    it('lets precedence decide before the model: an old click beats a newer invite under last_touch', () => {
      const oldClick = click({ touchedAt: daysAgo(20) });
      expect(choose([invite({ touchedAt: daysAgo(1) }), oldClick]).chosen).toBe(oldClick);
    });
  });

  describe('the model among touches of the winning source', () => {
    it.each([
      ['last_touch', 'inv_new'],
      ['first_touch', 'inv_old'],
    ] as const)(
      'credits the last of two invites under last_touch and the first under first_touch (%s)',
      (model, expected) => {
        const touches = [
          invite({ touchId: 'inv_old', touchedAt: daysAgo(10), program: { model } }),
          invite({ touchId: 'inv_new', touchedAt: daysAgo(2), program: { model } }),
        ];
        expect(choose(touches).chosen?.touchId).toBe(expected);
        expect(choose([...touches].reverse()).chosen?.touchId).toBe(expected);
      },
    );

    it.each([
      ['last_touch', null],
      ['first_touch', 'lnk_1'],
    ] as const)('counts a typed code as touched at sign-up (%s)', (model, expected) => {
      const typed = typedCode({ program: { model } });
      const earlier = typedCode({ touchId: 'lnk_1', touchedAt: daysAgo(5), program: { model } });
      expect(choose([typed, earlier]).chosen?.touchId).toBe(expected);
    });

    it('compares times only among touches of the winning source', () => {
      const first = { model: 'first_touch' as const };
      const invited = invite({ touchedAt: daysAgo(3), program: first });
      expect(choose([deviceMatch({ touchedAt: daysAgo(25), program: first }), invited]).chosen).toBe(invited);
    });

    it.each(['last_touch', 'first_touch'] as const)('keeps input order on ties (%s)', (model) => {
      const same = { touchedAt: daysAgo(4), program: { model } };
      const touches = [invite({ touchId: 'inv_a', ...same }), invite({ touchId: 'inv_b', ...same })];
      expect(choose(touches).chosen?.touchId).toBe('inv_a');
      expect(choose([...touches].reverse()).chosen?.touchId).toBe('inv_b');
    });
  });

  describe('touches that cannot be credited', () => {
    it('ignores touches of another program when the event names one', () => {
      const ours = invite({ touchId: 'inv_ours' });
      const theirs = click({ program: { id: 'prg_other' } });
      const { chosen, trail } = choose([theirs, ours]);
      expect(chosen).toBe(ours);
      expect(trail.considered[0]?.reason).toBe('other_program');
    });

    it('considers touches of every program when the event names none', () => {
      const theirs = click({ program: { id: 'prg_other' } });
      expect(choose([invite(), theirs], null).chosen).toBe(theirs);
    });

    it.each([
      ['the program is not active', { program: { active: false } }, 'program_not_active'],
      ['the referrer is disabled', { referrer: { status: 'disabled' } }, 'referrer_disabled'],
    ] as const)('skips a click when %s and credits the next touch', (_name, overrides, reason) => {
      const invited = invite();
      const { chosen, trail } = choose([click(overrides), invited]);
      expect(chosen).toBe(invited);
      expect(trail.considered.map((entry) => entry.reason)).toEqual([reason, null]);
    });

    it('drops a click older than the window, and keeps one exactly at its edge', () => {
      const edge = click({ touchId: 'clk_edge', touchedAt: daysAgo(30) });
      const tooOld = click({ touchId: 'clk_old', touchedAt: new Date(daysAgo(30).getTime() - 1) });
      expect(choose([tooOld]).chosen).toBeNull();
      expect(choose([edge]).chosen).toBe(edge);
      expect(reasons([tooOld, edge])).toEqual([
        ['clk_old', 'outside_window'],
        ['clk_edge', null],
      ]);
    });

    it("measures the window of each touch's own program", () => {
      const touches = [
        click({ touchId: 'clk_short', touchedAt: daysAgo(8), program: { id: 'prg_a', windowDays: 7 } }),
        click({ touchId: 'clk_long', touchedAt: daysAgo(8), program: { id: 'prg_b', windowDays: 60 } }),
      ];
      expect(reasons(touches, null)).toEqual([
        ['clk_short', 'outside_window'],
        ['clk_long', null],
      ]);
    });

    it('never finds a code typed at sign-up outside the window, even a zero-day one', () => {
      const typed = typedCode({ program: { windowDays: 0 } });
      expect(choose([typed]).chosen).toBe(typed);
    });

    it('reports one reason per touch, checking program, then status, then referrer, then age', () => {
      const broken = { touchedAt: daysAgo(99), referrer: { status: 'disabled' } } as const;
      expect(
        reasons([
          click({ touchId: 'a', ...broken, program: { id: 'prg_other', active: false } }),
          click({ touchId: 'b', ...broken, program: { active: false } }),
          click({ touchId: 'c', ...broken }),
          click({ touchId: 'd', touchedAt: daysAgo(99) }),
        ]),
      ).toEqual([
        ['a', 'other_program'],
        ['b', 'program_not_active'],
        ['c', 'referrer_disabled'],
        ['d', 'outside_window'],
      ]);
    });
  });

  describe('the trail', () => {
    it('explains why every other touch lost', () => {
      const { chosen, trail } = choose([
        typedCode(),
        click({ touchId: 'clk_old', touchedAt: daysAgo(9) }),
        click({ touchId: 'clk_new', touchedAt: daysAgo(1), referrer: { id: 'par_dave' } }),
        invite({ touchedAt: daysAgo(31) }),
        deviceMatch({ referrer: { status: 'disabled' } }),
      ]);
      expect(chosen?.touchId).toBe('clk_new');
      expect(trail.considered.map((e) => [e.source, e.outcome, e.reason])).toEqual([
        ['code', 'lost', 'lower_precedence'],
        ['click', 'lost', 'not_last_touch'],
        ['click', 'chosen', null],
        ['invite', 'lost', 'outside_window'],
        ['device', 'lost', 'referrer_disabled'],
      ]);
      expect(trail).toMatchObject({ model: 'last_touch', rule: 'last_touch' });
    });

    it('says not_first_touch for the later touch under first_touch', () => {
      const first = { model: 'first_touch' } as const;
      const touches = [
        invite({ touchId: 'inv_b', touchedAt: daysAgo(1), program: first }),
        invite({ touchId: 'inv_a', touchedAt: daysAgo(5), program: first }),
      ];
      expect(reasons(touches)).toEqual([
        ['inv_b', 'not_first_touch'],
        ['inv_a', null],
      ]);
    });

    it('records the chosen touch as it was stored', () => {
      const clicked = click({ touchedAt: new Date('2026-06-10T08:30:00Z'), referrer: { id: 'par_dave' } });
      const { trail } = choose([clicked]);
      expect(trail.chosen).toEqual({
        source: 'click',
        touch_id: 'clk_1',
        code: 'ALICE234',
        referrer_id: 'par_dave',
        program_id: 'prg_main',
        touched_at: '2026-06-10T08:30:00.000Z',
        outcome: 'chosen',
        reason: null,
      });
      expect(choose([typedCode()]).trail.chosen).toMatchObject({ touch_id: null, touched_at: null });
    });

    const first = { program: { model: 'first_touch' as const } };
    it.each([
      ['only_touch', 'one touch', [click()]],
      [
        'only_touch',
        'one touch left after the others were disqualified',
        [click(), invite({ touchedAt: daysAgo(40) })],
      ],
      ['source_precedence', 'one touch of the best source among several', [click(), typedCode(), invite()]],
      [
        'last_touch',
        'several touches of the best source',
        [invite(), invite({ touchId: 'inv_2' }), deviceMatch()],
      ],
      [
        'first_touch',
        'several touches of the best source',
        [invite(first), invite({ ...first, touchId: 'inv_2' })],
      ],
      [null, 'no touch that can be credited', [click({ program: { active: false } })]],
      [null, 'no touch at all', []],
    ] as const)('names the rule %s when there is %s', (rule, _name, touches) => {
      expect(choose([...touches]).trail.rule).toBe(rule);
    });

    it("takes the model from the credited touch's program, else the first touch's, else last_touch", () => {
      const paused = { active: false, model: 'first_touch' as AttributionModel };
      expect(choose([click({ program: { model: 'first_touch' } })]).trail.model).toBe('first_touch');
      expect(choose([click({ program: paused })]).trail).toMatchObject({
        model: 'first_touch',
        chosen: null,
      });
      expect(choose([]).trail).toEqual({ model: 'last_touch', rule: null, chosen: null, considered: [] });
    });
  });
});

describe('noTouchReason', () => {
  it('reports outside_window when the only touch is too old', () => {
    expect(noTouchReason(choose([invite({ touchedAt: daysAgo(31) })]).trail)).toBe('outside_window');
  });

  it('reports the reason of the strongest source, whatever the input order', () => {
    const touches = [
      deviceMatch({ touchedAt: daysAgo(90) }),
      invite({ program: { active: false } }),
      typedCode({ referrer: { status: 'disabled' } }),
    ];
    expect(noTouchReason(choose(touches).trail)).toBe('referrer_disabled');
  });

  it('has nothing to report when there was no touch', () => {
    expect(noTouchReason(choose([]).trail)).toBeNull();
  });
});

describe('decideAttribution', () => {
  it('creates a referral that expires one window after the sign-up, not after the touch', () => {
    const decision = decideAttribution(
      click({ touchedAt: daysAgo(10), program: { windowDays: 45 } }),
      signup(),
    );
    expect(decision).toEqual({ outcome: 'create', expiresAt: new Date(at.getTime() + 45 * DAY) });
  });

  it.each([
    ['the same external id', touch(), signup({ customerExternalId: 'alice' })],
    ['a record linked to the referrer', touch(), signup({ linkedToReferrer: true })],
    [
      'the same email in another case and with spaces',
      touch(),
      signup({ customerEmail: ' Alice@EXAMPLE.com ' }),
    ],
    [
      'the same mailbox once normalised',
      touch({ referrer: { email: 'Jane.Doe+x@googlemail.com' } }),
      signup({ customerEmail: 'janedoe@gmail.com' }),
    ],
  ])('rejects a self-referral by %s', (_name, chosen, facts) => {
    expect(decideAttribution(chosen, facts)).toEqual({ outcome: 'rejected', reason: 'self_referral' });
  });

  it('reports self-referral even when the person was already referred', () => {
    const facts = signup({ customerExternalId: 'alice', alreadyReferred: true });
    expect(decideAttribution(touch(), facts)).toEqual({ outcome: 'rejected', reason: 'self_referral' });
  });

  it('ignores a sign-up already referred in the program', () => {
    const decision = decideAttribution(touch(), signup({ alreadyReferred: true }));
    expect(decision).toEqual({ outcome: 'ignored', reason: 'already_referred' });
  });

  it.each([
    ['both are missing', null, null],
    ["the referrer's is missing", null, 'alice@example.com'],
    ["the customer's is missing", 'alice@example.com', null],
    ['both are the same unparseable text', 'n/a', 'n/a'],
  ])('never treats emails as equal when %s', (_name, referrerEmail, customerEmail) => {
    const decision = decideAttribution(
      touch({ referrer: { email: referrerEmail } }),
      signup({ customerEmail }),
    );
    expect(decision.outcome).toBe('create');
  });
});
