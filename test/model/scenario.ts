// What a model-test case is: a small world (centers in time zones, SALTO KS sites and groups,
// members, co-members, non-members, the base set-up) and a sequence of steps (Deskworks changes
// and how their events are delivered, set-up changes, hand edits and faults in SALTO KS, time
// passing, checks). Entities are named by small indices taken modulo what the world has, so the
// steps shrink independently of the world. Each feature class can be switched off.
import fc from 'fast-check';

export const FEATURES = [
  'comembers',
  'nonmembers',
  'reservations',
  'moves',
  'sharedEmails',
  'outOfOrder',
  'duplicates',
  'setup',
  'policy',
  'handEdits',
  'groupDelete',
  'faults',
  'dst',
  'impossible',
  'deletion',
  'adoption',
] as const;
export type Feature = (typeof FEATURES)[number];

export const FEATURE_HELP: Record<Feature, string> = {
  comembers: 'co-members inheriting their master’s plan groups; comember.added / comember.removed',
  nonmembers: 'non-member reservation customers',
  reservations: 'reservations (created, cancelled)',
  moves: 'reservations moved in time, to another unit or center, or to another customer',
  sharedEmails: 'records sharing one e-mail (also in another letter case); e-mail changes',
  outOfOrder: 'events held back and delivered later, in any order',
  duplicates: 'events delivered twice, also late',
  setup: 'set-up changes at any moment: center → site, product and unit groups (map / unmap)',
  policy: 'policy changes: reservation lead / lag, no-access policy keep / block / delete',
  handEdits: 'hand edits in SALTO KS: user deleted, group membership added or removed',
  groupDelete: 'an access group deleted in SALTO KS',
  faults: 'SALTO KS faults: 500 / 503, 429 with Retry-After, timeouts, eventual consistency',
  dst: 'time zones with DST (incl. midnight switches) and cases starting near a DST switch',
  impossible: 'billings whose endDate is before their startDate',
  deletion: 'member.deleted',
  adoption: 'SALTO KS users that existed before the integration (adopted by e-mail)',
};

export const ZONES_PLAIN = ['Europe/Berlin', 'America/New_York', 'UTC'];
export const ZONES_DST = [
  'Europe/Berlin',
  'America/New_York',
  'America/Santiago', // DST switches at midnight: 00:00 does not exist on one day a year
  'Australia/Sydney',
  'Asia/Kolkata',
  'Pacific/Auckland',
];

export const CENTER_IDS = ['A', 'B', 'C'];
export const SITE_TAGS = ['S1', 'S2'];
export const GROUPS_PER_SITE = 4;
export const PRODUCTS = 3; // p3 is never in the base set-up: unmapped unless a step maps it
export const UNITS = 2;

export interface MapItem {
  center: number;
  item: number;
  groups: number[];
}

/** A billing a member already has when the case starts. */
export interface Plan {
  product: number;
  center: number;
  start: number;
  length: number | null;
}

export interface World {
  zones: number[];
  sites: number;
  members: number[];
  comembers: number[];
  nonmembers: number[];
  preexisting: { site: number; email: number }[];
  /** Members and co-members (in that order) that exist when the case starts, with one billing or none. */
  plans: (Plan | 'none' | null)[];
  /** Per co-member, the master (a member index) it already has when the case starts. */
  links: (number | null)[];
  anchor: { minute: number; dstHoursBefore: number | null };
  /** Per center, then per item (p1, p2 / u1, u2): the groups mapped at the start (empty: unmapped). */
  base: { centerSites: (number | null)[]; products: number[][]; units: number[][] };
}

export type Delivery = 'now' | 'later' | 'twice';
export type Via = 'event' | 'snapshot';

export type Step =
  | {
      t: 'member';
      who: number;
      op: 'create' | 'touch' | 'activate' | 'deactivate' | 'email' | 'delete';
      email: number;
      via: Via;
      d: Delivery;
    }
  | {
      t: 'billing';
      who: number;
      b: number;
      op: 'set';
      product: number;
      center: number;
      start: number;
      length: number | null;
      active: boolean;
      via: Via;
      d: Delivery;
    }
  | { t: 'billing'; who: number; b: number; op: 'cancel' | 'remove'; via: Via; d: Delivery }
  | { t: 'comember'; who: number; master: number | null; d: Delivery }
  | {
      t: 'res';
      r: number;
      op: 'create';
      customer: number;
      center: number;
      unit: number;
      start: number;
      dur: number;
      d: Delivery;
    }
  | { t: 'res'; r: number; op: 'move'; start: number; dur: number; d: Delivery }
  | { t: 'res'; r: number; op: 'unit'; center: number; unit: number; d: Delivery }
  | { t: 'res'; r: number; op: 'customer'; customer: number; d: Delivery }
  | { t: 'res'; r: number; op: 'cancel'; via: Via; d: Delivery }
  | { t: 'deliver'; pick: number; n: number }
  | { t: 'dup'; pick: number }
  | { t: 'setup'; op: 'center'; center: number; site: number }
  | { t: 'setup'; op: 'product' | 'unit'; center: number; item: number; groups: number[] }
  | { t: 'policy'; lead: number | null; lag: number | null; noAccess: 'keep' | 'block' | 'delete' | null }
  | { t: 'hand'; op: 'removeGroup' | 'addGroup' | 'deleteUser'; site: number; user: number; group: number }
  | { t: 'deleteGroup'; site: number; group: number }
  | { t: 'fault'; kind: '500' | '503' | '429' | 'timeout' | 'consistency'; n: number; method: string | null }
  | { t: 'advance'; kind: 'min'; n: number }
  | { t: 'advance'; kind: 'days'; n: number }
  | { t: 'advance'; kind: 'edge'; nth: number; off: number }
  | { t: 'check' }
  | { t: 'reconcile' };

export interface Case {
  world: World;
  steps: Step[];
}

export interface ScenarioOptions {
  features: ReadonlySet<Feature>;
  maxSteps: number;
}

// ---- generators ------------------------------------------------------------------------------------

const MAX_PERSONS = 7;
/** Shared e-mails come from a pool smaller than the people, so records often share one. */
const EMAIL_POOL = 5;

function opt<T>(arb: fc.Arbitrary<T>, freq: number): fc.Arbitrary<T | null> {
  return fc.option(arb, { freq, nil: null });
}

function worldArb(o: ScenarioOptions): fc.Arbitrary<World> {
  const has = (f: Feature): boolean => o.features.has(f);
  const zones = has('dst') ? ZONES_DST : ZONES_PLAIN;
  const email = fc.nat(has('sharedEmails') ? 2 * EMAIL_POOL - 1 : 0);
  const mapped = fc.oneof(
    { arbitrary: fc.uniqueArray(fc.nat(GROUPS_PER_SITE - 1), { minLength: 1, maxLength: 2 }), weight: 5 },
    { arbitrary: fc.constant<number[]>([]), weight: 1 },
  );
  const perCenterItem = fc.array(mapped, { minLength: 6, maxLength: 6 });
  return fc.record({
    zones: fc.array(fc.nat(zones.length - 1), { minLength: 1, maxLength: 3 }),
    sites: fc.integer({ min: 1, max: 2 }),
    members: fc.array(email, { minLength: 1, maxLength: 3 }),
    comembers: has('comembers') ? fc.array(email, { minLength: 1, maxLength: 2 }) : fc.constant([]),
    nonmembers:
      has('nonmembers') && has('reservations')
        ? fc.array(email, { minLength: 1, maxLength: 2 })
        : fc.constant([]),
    preexisting: has('adoption')
      ? fc.array(fc.record({ site: fc.nat(1), email: fc.nat(EMAIL_POOL - 1) }), { maxLength: 2 })
      : fc.constant([]),
    plans: fc.array(
      fc.oneof(
        {
          weight: 6,
          arbitrary: fc.record({
            product: fc.nat(1),
            center: fc.nat(2),
            start: fc.integer({ min: -2, max: 0 }),
            length: opt(fc.integer({ min: 0, max: 3 }), 2),
          }),
        },
        { weight: 1, arbitrary: fc.constant<'none'>('none') },
        { weight: 1, arbitrary: fc.constant(null) },
      ),
      { minLength: 5, maxLength: 5 },
    ),
    links: fc.array(opt(fc.nat(2), 3), { minLength: 2, maxLength: 2 }),
    anchor: fc.record({
      minute: fc.nat(1439),
      dstHoursBefore: has('dst')
        ? fc.oneof(
            { arbitrary: fc.constant(null), weight: 2 },
            { arbitrary: fc.integer({ min: 1, max: 30 }), weight: 1 },
          )
        : fc.constant(null),
    }),
    base: fc.record({
      centerSites: fc.array(opt(fc.nat(1), 6), { minLength: 3, maxLength: 3 }),
      products: perCenterItem,
      units: has('reservations') ? perCenterItem : fc.constant([]),
    }),
  });
}

function stepArb(o: ScenarioOptions): fc.Arbitrary<Step> {
  const has = (f: Feature): boolean => o.features.has(f);
  const delivery: fc.Arbitrary<Delivery> = fc.constantFrom<Delivery>(
    'now',
    ...(has('outOfOrder') ? (['later'] as const) : []),
    ...(has('duplicates') ? (['twice'] as const) : []),
  );
  const d =
    has('outOfOrder') || has('duplicates')
      ? fc.oneof({ arbitrary: fc.constant<Delivery>('now'), weight: 2 }, delivery)
      : delivery;
  const via = fc.constantFrom<Via>('event', 'snapshot');
  const who = fc.nat(MAX_PERSONS);
  const memberOps = [
    'create',
    'touch',
    'activate',
    'activate',
    'deactivate',
    'deactivate',
    ...(has('sharedEmails') ? (['email'] as const) : []),
    ...(has('deletion') ? (['delete'] as const) : []),
  ] as const;
  const arbs: { arbitrary: fc.Arbitrary<Step>; weight: number }[] = [
    {
      weight: 6,
      arbitrary: fc.record({
        t: fc.constant('member' as const),
        who,
        op: fc.constantFrom(...memberOps),
        email: fc.nat(2 * EMAIL_POOL - 1),
        via,
        d,
      }),
    },
    {
      weight: 8,
      arbitrary: fc.record({
        t: fc.constant('billing' as const),
        who,
        b: fc.nat(1),
        op: fc.constant('set' as const),
        product: fc.nat(PRODUCTS - 1),
        center: fc.nat(2),
        start: fc.integer({ min: -2, max: 1 }),
        length: opt(fc.integer({ min: has('impossible') ? -2 : 0, max: 3 }), 2),
        active: fc.oneof(
          { arbitrary: fc.constant(true), weight: 4 },
          { arbitrary: fc.constant(false), weight: 1 },
        ),
        via,
        d,
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        t: fc.constant('billing' as const),
        who,
        b: fc.nat(1),
        op: fc.constantFrom('cancel' as const, 'remove' as const),
        via,
        d,
      }),
    },
    { weight: 10, arbitrary: advanceArb() },
    { weight: 3, arbitrary: fc.constant({ t: 'check' as const }) },
  ];
  if (has('comembers'))
    arbs.push({
      weight: 3,
      arbitrary: fc.record({
        t: fc.constant('comember' as const),
        who: fc.nat(MAX_PERSONS),
        master: opt(fc.nat(MAX_PERSONS), 3),
        d,
      }),
    });
  if (has('reservations')) {
    const start = fc.integer({ min: -12, max: 48 }); // × 10 min from now
    const dur = fc.integer({ min: 1, max: 12 }); // × 15 min
    arbs.push(
      {
        weight: 6,
        arbitrary: fc.record({
          t: fc.constant('res' as const),
          r: fc.nat(2),
          op: fc.constant('create' as const),
          customer: fc.nat(MAX_PERSONS),
          center: fc.nat(2),
          unit: fc.nat(UNITS - 1),
          start,
          dur,
          d,
        }),
      },
      {
        weight: 2,
        arbitrary: fc.record({
          t: fc.constant('res' as const),
          r: fc.nat(2),
          op: fc.constant('cancel' as const),
          via,
          d,
        }),
      },
    );
    if (has('moves'))
      arbs.push(
        {
          weight: 3,
          arbitrary: fc.record({
            t: fc.constant('res' as const),
            r: fc.nat(2),
            op: fc.constant('move' as const),
            start,
            dur,
            d,
          }),
        },
        {
          weight: 1,
          arbitrary: fc.record({
            t: fc.constant('res' as const),
            r: fc.nat(2),
            op: fc.constant('unit' as const),
            center: fc.nat(2),
            unit: fc.nat(UNITS - 1),
            d,
          }),
        },
        {
          weight: 1,
          arbitrary: fc.record({
            t: fc.constant('res' as const),
            r: fc.nat(2),
            op: fc.constant('customer' as const),
            customer: fc.nat(MAX_PERSONS),
            d,
          }),
        },
      );
  }
  if (has('outOfOrder'))
    arbs.push({
      weight: 3,
      arbitrary: fc.record({
        t: fc.constant('deliver' as const),
        pick: fc.nat(9),
        n: fc.integer({ min: 1, max: 3 }),
      }),
    });
  if (has('duplicates'))
    arbs.push({ weight: 1, arbitrary: fc.record({ t: fc.constant('dup' as const), pick: fc.nat(19) }) });
  if (has('setup'))
    arbs.push(
      {
        weight: 1,
        arbitrary: fc.record({
          t: fc.constant('setup' as const),
          op: fc.constant('center' as const),
          center: fc.nat(2),
          site: fc.nat(1),
        }),
      },
      {
        weight: 3,
        arbitrary: fc.record({
          t: fc.constant('setup' as const),
          op: fc.constantFrom('product' as const, ...(has('reservations') ? (['unit'] as const) : [])),
          center: fc.nat(2),
          item: fc.nat(PRODUCTS - 1),
          groups: fc.uniqueArray(fc.nat(GROUPS_PER_SITE - 1), { maxLength: 2 }),
        }),
      },
    );
  if (has('policy'))
    arbs.push({
      weight: 1,
      arbitrary: fc.record({
        t: fc.constant('policy' as const),
        lead: has('reservations') ? opt(fc.constantFrom(0, 5, 15, 30, 60), 2) : fc.constant(null),
        lag: has('reservations') ? opt(fc.constantFrom(0, 5, 15, 30, 60), 2) : fc.constant(null),
        noAccess: opt(fc.constantFrom('keep' as const, 'block' as const, 'delete' as const), 2),
      }),
    });
  if (has('handEdits'))
    arbs.push({
      weight: 2,
      arbitrary: fc.record({
        t: fc.constant('hand' as const),
        op: fc.constantFrom('removeGroup' as const, 'addGroup' as const, 'deleteUser' as const),
        site: fc.nat(1),
        user: fc.nat(9),
        group: fc.nat(GROUPS_PER_SITE - 1),
      }),
    });
  if (has('groupDelete'))
    arbs.push({
      weight: 1,
      arbitrary: fc.record({
        t: fc.constant('deleteGroup' as const),
        site: fc.nat(1),
        group: fc.nat(GROUPS_PER_SITE - 1),
      }),
    });
  if (has('faults'))
    arbs.push({
      weight: 1,
      arbitrary: fc.record({
        t: fc.constant('fault' as const),
        kind: fc.constantFrom(
          '500' as const,
          '503' as const,
          '429' as const,
          'timeout' as const,
          'consistency' as const,
        ),
        n: fc.integer({ min: 1, max: 3 }),
        method: opt(fc.constantFrom('GET', 'POST', 'DELETE', 'PATCH'), 2),
      }),
    });
  if (has('handEdits') || has('groupDelete'))
    arbs.push({ weight: 1, arbitrary: fc.constant({ t: 'reconcile' as const }) });
  return fc.oneof(...arbs);
}

function advanceArb(): fc.Arbitrary<Step> {
  return fc.oneof(
    {
      weight: 4,
      arbitrary: fc.record({
        t: fc.constant('advance' as const),
        kind: fc.constant('edge' as const),
        nth: fc.nat(2),
        off: fc.constantFrom(2, 4, 7, 11, -2, -4, -7),
      }),
    },
    {
      weight: 3,
      arbitrary: fc.record({
        t: fc.constant('advance' as const),
        kind: fc.constant('min' as const),
        n: fc.integer({ min: 1, max: 24 }),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        t: fc.constant('advance' as const),
        kind: fc.constant('days' as const),
        n: fc.integer({ min: 1, max: 2 }),
      }),
    },
  );
}

export function caseArb(o: ScenarioOptions): fc.Arbitrary<Case> {
  return fc.record({
    world: worldArb(o),
    steps: fc.array(stepArb(o), { minLength: 1, maxLength: o.maxSteps, size: 'max' }),
  });
}

// ---- names ------------------------------------------------------------------------------------------

export interface Names {
  members: string[];
  comembers: string[];
  nonmembers: string[];
}

export function localNames(w: World): Names {
  return {
    members: w.members.map((_, i) => `m${i + 1}`),
    comembers: w.comembers.map((_, i) => `c${i + 1}`),
    nonmembers: w.nonmembers.map((_, i) => `n${i + 1}`),
  };
}

/** Member steps name members and co-members; customers also non-members. */
export function memberName(w: World, i: number): string {
  const n = localNames(w);
  const all = [...n.members, ...n.comembers];
  return all[i % all.length]!;
}

export function customerName(w: World, i: number): string {
  const n = localNames(w);
  const all = [...n.members, ...n.comembers, ...n.nonmembers];
  return all[i % all.length]!;
}

export function comemberName(w: World, i: number): string | null {
  const n = localNames(w).comembers;
  return n.length === 0 ? null : n[i % n.length]!;
}

export function primaryName(w: World, i: number): string {
  const n = localNames(w).members;
  return n[i % n.length]!;
}

export const centerOf = (w: World, i: number): string => CENTER_IDS[i % w.zones.length]!;

/** The e-mail of a person (by its place in the world), shared between records only with `sharedEmails`. */
export function emailOf(w: World, o: ScenarioOptions, who: string, pick?: number): string {
  const n = localNames(w);
  const all = [...n.members, ...n.comembers, ...n.nonmembers];
  const index = all.indexOf(who);
  const picks = [...w.members, ...w.comembers, ...w.nonmembers];
  if (!o.features.has('sharedEmails')) return `${who}@model.test`;
  const p = pick ?? picks[index] ?? 0;
  const base = `e${p % EMAIL_POOL}`;
  return p % (2 * EMAIL_POOL) >= EMAIL_POOL ? `${base.toUpperCase()}@Model.Test` : `${base}@model.test`;
}

export function preexistingEmail(o: ScenarioOptions, pick: number): string {
  if (!o.features.has('sharedEmails')) return `m${(pick % 3) + 1}@model.test`;
  return `e${pick % EMAIL_POOL}@model.test`;
}

/** The base set-up's mapped items (centers the world has, non-empty group lists). */
export function baseItems(w: World, kind: 'products' | 'units'): MapItem[] {
  return w.base[kind].flatMap((groups, i) => {
    const center = Math.floor(i / 2);
    return center < w.zones.length && groups.length > 0 ? [{ center, item: i % 2, groups }] : [];
  });
}

// ---- one line per step ------------------------------------------------------------------------------

const dl = (d: Delivery): string => (d === 'now' ? '' : ` [${d}]`);
const viaText = (v: Via): string => (v === 'snapshot' ? ' via member.updated' : '');
const signed = (n: number): string => (n >= 0 ? `+${n}` : `${n}`);

export function describeWorld(w: World, o: ScenarioOptions): string[] {
  const zones = o.features.has('dst') ? ZONES_DST : ZONES_PLAIN;
  const n = localNames(w);
  const lines = [
    `centers: ${w.zones
      .map((z, i) => {
        const site = w.base.centerSites[i];
        return `${CENTER_IDS[i]} (${zones[z]}, site ${site === null || site === undefined ? '–' : SITE_TAGS[site % w.sites]})`;
      })
      .join(', ')}; sites: ${SITE_TAGS.slice(0, w.sites).join(', ')}`,
    `people: ${[...n.members, ...n.comembers, ...n.nonmembers].map((p) => `${p} <${emailOf(w, o, p)}>`).join(', ')}`,
    `base set-up: ${
      [
        ...baseItems(w, 'products').map(
          (m) => `p${m.item + 1}@${CENTER_IDS[m.center]}=g${m.groups.map((g) => g + 1).join('+g')}`,
        ),
        ...baseItems(w, 'units').map(
          (m) => `u${m.item + 1}@${CENTER_IDS[m.center]}=g${m.groups.map((g) => g + 1).join('+g')}`,
        ),
      ].join(', ') || '(none)'
    }`,
    `start: ${w.anchor.dstHoursBefore !== null && o.features.has('dst') ? `${w.anchor.dstHoursBefore} h before the next DST switch of center A` : `at local ${String(Math.floor(w.anchor.minute / 60)).padStart(2, '0')}:${String(w.anchor.minute % 60).padStart(2, '0')} of center A`}`,
  ];
  const all = [...n.members, ...n.comembers];
  const existing = all.flatMap((p, i) => {
    const plan = w.plans[i];
    if (plan === null || plan === undefined) return [];
    const k = i - n.members.length;
    const link = k >= 0 ? w.links[k] : null;
    const masterIndex = link === null || link === undefined ? -1 : link % n.members.length;
    const master =
      masterIndex >= 0 && w.plans[masterIndex] != null ? ` co-member of ${n.members[masterIndex]}` : '';
    if (plan === 'none') return [`${p} (no plan${master})`];
    return [
      `${p} (p${plan.product + 1}@${centerOf(w, plan.center)} from today${signed(plan.start)} ${plan.length === null ? 'open-ended' : `to today${signed(plan.start + plan.length)}`}${master})`,
    ];
  });
  lines.push(`existing at the start: ${existing.join(', ') || 'nobody'}`);
  if (w.preexisting.length > 0)
    lines.push(
      `SALTO KS users before the integration: ${w.preexisting.map((p) => `${preexistingEmail(o, p.email)} on ${SITE_TAGS[p.site % w.sites]}`).join(', ')}`,
    );
  return lines;
}

export function describeStep(s: Step, w: World, o: ScenarioOptions): string {
  switch (s.t) {
    case 'member':
      return `member ${memberName(w, s.who)} ${s.op}${s.op === 'email' ? ` → ${emailOf(w, o, memberName(w, s.who), s.email)}` : ''}${s.op === 'activate' || s.op === 'deactivate' ? viaText(s.via) : ''}${dl(s.d)}`;
    case 'billing':
      if (s.op === 'set')
        return `billing ${memberName(w, s.who)}.b${s.b + 1} = p${s.product + 1}@${centerOf(w, s.center)} ${s.active ? '' : '(cancelled) '}from today${signed(s.start)} ${s.length === null ? 'open-ended' : `to today${signed(s.start + s.length)}`}${viaText(s.via)}${dl(s.d)}`;
      return `billing ${memberName(w, s.who)}.b${s.b + 1} ${s.op}${s.op === 'cancel' ? viaText(s.via) : ' via member.updated'}${dl(s.d)}`;
    case 'comember':
      return s.master === null
        ? `comember ${comemberName(w, s.who) ?? '?'} removed${dl(s.d)}`
        : `comember ${comemberName(w, s.who) ?? '?'} added to ${primaryName(w, s.master)}${dl(s.d)}`;
    case 'res': {
      const r = `r${s.r + 1}`;
      switch (s.op) {
        case 'create':
          return `reservation ${r} for ${customerName(w, s.customer)}: u${s.unit + 1}@${centerOf(w, s.center)} from now${signed(s.start * 10)}m for ${s.dur * 15}m${dl(s.d)}`;
        case 'move':
          return `reservation ${r} moved to now${signed(s.start * 10)}m for ${s.dur * 15}m${dl(s.d)}`;
        case 'unit':
          return `reservation ${r} moved to u${s.unit + 1}@${centerOf(w, s.center)}${dl(s.d)}`;
        case 'customer':
          return `reservation ${r} now for ${customerName(w, s.customer)}${dl(s.d)}`;
        case 'cancel':
          return `reservation ${r} cancelled${s.via === 'snapshot' ? ' via reservation.updated' : ''}${dl(s.d)}`;
      }
      break;
    }
    case 'deliver':
      return `deliver ${s.n} held-back event(s), picking #${s.pick}`;
    case 'dup':
      return `deliver again delivered event #${s.pick}`;
    case 'setup':
      if (s.op === 'center')
        return `set-up: center ${centerOf(w, s.center)} → site ${SITE_TAGS[s.site % w.sites]}`;
      return `set-up: ${s.op === 'product' ? 'p' : 'u'}${s.item + 1}@${centerOf(w, s.center)} = ${s.groups.length === 0 ? '(unmapped)' : s.groups.map((g) => `g${g + 1}`).join('+')}`;
    case 'policy':
      return `set-up policy: ${[s.lead === null ? '' : `lead ${s.lead}m`, s.lag === null ? '' : `lag ${s.lag}m`, s.noAccess === null ? '' : `no access: ${s.noAccess}`].filter(Boolean).join(', ') || '(unchanged)'}`;
    case 'hand':
      return `by hand on ${SITE_TAGS[s.site % w.sites]}: ${s.op === 'deleteUser' ? `delete user #${s.user}` : s.op === 'addGroup' ? `add user #${s.user} to a group it lacks (#${s.group})` : `remove user #${s.user} from its group #${s.group}`}`;
    case 'deleteGroup':
      return `by hand on ${SITE_TAGS[s.site % w.sites]}: delete access group #${s.group} (of those left)`;
    case 'fault':
      return s.kind === 'timeout'
        ? 'SALTO KS answers too slowly for a moment (timeouts)'
        : s.kind === 'consistency'
          ? 'SALTO KS eventual consistency after user creation'
          : `SALTO KS answers ${s.kind}${s.kind === '429' ? ' (Retry-After 1)' : ''} to the next ${s.n} ${s.method ?? ''} request(s)`.replace(
              '  ',
              ' ',
            );
    case 'advance':
      if (s.kind === 'min') return `time +${s.n * 5}m`;
      if (s.kind === 'days') return `time +${s.n}d`;
      return `time to edge #${s.nth + 1} ${signed(s.off)}m`;
    case 'check':
      return 'check';
    case 'reconcile':
      return 'reconciliation runs';
  }
}
