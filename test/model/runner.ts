// Runs one model-test case against the engine: plays the Deskworks side (a small truth from which
// every event is made), delivers the events through the API's own mapping (now, later, twice),
// changes the set-up, edits and breaks SALTO KS, lets server time pass, and at checkpoints waits
// until the engine is quiet and compares SALTO KS with the model.
import {
  parseDeskworksEvent,
  type DeskworksEvent,
  type DeskworksEventType,
  type MemberSnapshot,
  type RecurringBilling,
  type ReservationSnapshot,
} from '../../src/api/deskworks-events';
import type { AccessReason } from '../../src/core/types';
import type { SimStateView } from '../../src/simulator';
import {
  HarnessStuck,
  ModelHarness,
  type SeedSite,
  type SetupAnswer,
  type WorkflowSnapshot,
} from './harness';
import { AccessModel, type Expected } from './model';
import {
  baseItems,
  CENTER_IDS,
  comemberName,
  customerName,
  describeStep,
  emailOf,
  GROUPS_PER_SITE,
  localNames,
  memberName,
  preexistingEmail,
  primaryName,
  SITE_TAGS,
  ZONES_DST,
  ZONES_PLAIN,
  type Case,
  type Delivery,
  type ScenarioOptions,
  type Step,
} from './scenario';
import { addDays, localDate, localMinuteOfDay, nextOffsetChange, startOfDay, TIME, utcOffset } from './tz';

const { MINUTE, HOUR, DAY } = TIME;
/** A checkpoint keeps this far from any instant at which access changes by itself. */
const EDGE_MARGIN = 45_000;
/** How much server time a quiet-wait lets pass for retry timers before it calls a person stuck. */
const MAX_NUDGE = 180_000;
const iso = (ms: number): string => new Date(ms).toISOString();

export class CaseFailure extends Error {
  constructor(
    message: string,
    readonly trace: string[],
    /** The Temporal side stopped answering: no verdict about the engine. */
    readonly stuck = false,
  ) {
    super(message);
  }
}

export interface RunNotes {
  /** Contract-valid events the API's schema would answer 400 (delivered anyway through deliveryFor). */
  schemaRejects: Map<string, number>;
  /** How many passed checkpoints saw each situation, and how often each kind of step took effect. */
  coverage: Map<string, number>;
}

export function count(notes: RunNotes, label: string): void {
  notes.coverage.set(label, (notes.coverage.get(label) ?? 0) + 1);
}

interface TMember {
  id: string;
  local: string;
  kind: 'member' | 'comember';
  created: boolean;
  deleted: boolean;
  email: string;
  status: 'active' | 'inactive';
  master: string | null;
  billings: Map<string, RecurringBilling>;
  customer: boolean;
  emailChanged: boolean;
}

interface TReservation {
  id: string;
  snap: ReservationSnapshot | null;
  cancelled: boolean;
}

interface Sent {
  event: DeskworksEvent;
  label: string;
}

export async function runCase(
  h: ModelHarness,
  c: Case,
  o: ScenarioOptions,
  caseNo: number,
  notes: RunNotes,
): Promise<string[]> {
  const run = new CaseRun(h, c, o, caseNo, notes);
  try {
    await run.play();
  } catch (err) {
    if (err instanceof CaseFailure) throw err;
    if (err instanceof HarnessStuck) throw new CaseFailure(`harness stuck: ${err.message}`, run.trace, true);
    const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
    throw new CaseFailure(`harness error: ${message}`, run.trace);
  }
  return run.trace;
}

class CaseRun {
  readonly trace: string[] = [];
  private readonly has: (f: string) => boolean;
  private readonly prefix: string;
  private readonly centers: { id: string; tz: string }[];
  private readonly sites: { id: string; tag: string; groups: string[] }[];
  private readonly model: AccessModel;
  private readonly members = new Map<string, TMember>();
  private readonly nonmembers = new Map<string, { id: string; email: string }>();
  private readonly reservations = new Map<string, TReservation>();
  private readonly pending: Sent[] = [];
  private readonly delivered: Sent[] = [];
  private readonly emittedBillings: RecurringBilling[] = [];
  private readonly emittedWindows: { start: number; end: number }[] = [];
  private readonly leads = new Set([15]);
  private readonly lags = new Set([15]);
  private eventNo = 0;
  private lastStamp = 0;
  private t0 = 0;
  private handEdited = false;
  private consistencyFault = false;

  constructor(
    private readonly h: ModelHarness,
    private readonly c: Case,
    private readonly o: ScenarioOptions,
    private readonly caseNo: number,
    private readonly notes: RunNotes,
  ) {
    const w = c.world;
    this.has = (f) => o.features.has(f as never);
    this.prefix = `k${caseNo}-`;
    const zones = this.has('dst') ? ZONES_DST : ZONES_PLAIN;
    this.centers = w.zones.map((z, i) => ({ id: CENTER_IDS[i]!, tz: zones[z]! }));
    this.sites = SITE_TAGS.slice(0, w.sites).map((tag, i) => ({
      id: `0000000${i + 1}-0000-4000-8000-${caseNo.toString(16).padStart(12, '0')}`,
      tag,
      groups: Array.from({ length: GROUPS_PER_SITE }, (_, g) => `${tag}g${g + 1}`),
    }));
    this.model = new AccessModel(
      Object.fromEntries(this.sites.map((s) => [s.id, s.groups])),
      Object.fromEntries(this.centers.map((ctr) => [ctr.id, ctr.tz])),
    );
    const names = localNames(w);
    for (const [kind, list] of [
      ['member', names.members],
      ['comember', names.comembers],
    ] as const) {
      for (const local of list) {
        this.members.set(local, {
          id: this.pid(local),
          local,
          kind,
          created: false,
          deleted: false,
          email: emailOf(w, o, local),
          status: 'active',
          master: null,
          billings: new Map(),
          customer: false,
          emailChanged: false,
        });
      }
    }
    for (const local of names.nonmembers)
      this.nonmembers.set(local, { id: this.pid(local), email: emailOf(w, o, local) });
  }

  private pid(local: string): string {
    return `${this.prefix}${local}`;
  }

  private log(line: string): void {
    this.trace.push(line);
  }

  private fail(message: string): never {
    throw new CaseFailure(message, this.trace);
  }

  private siteTag(id: string): string {
    return this.sites.find((s) => s.id === id)?.tag ?? id;
  }

  private centerTz(centerId: string): string {
    return this.centers.find((x) => x.id === centerId)!.tz;
  }

  private siteIndex(i: number): { id: string; tag: string; groups: string[] } {
    return this.sites[i % this.sites.length]!;
  }

  // ---- the whole case ------------------------------------------------------------------------------

  async play(): Promise<void> {
    const w = this.c.world;
    const people = [...this.members.values()]
      .map((m) => m.id)
      .concat([...this.nonmembers.values()].map((n) => n.id));
    const reservations = [0, 1, 2].map((r) => this.pid(`r${r + 1}`));
    const seedSites: SeedSite[] = this.sites.map((s, i) => ({
      id: s.id,
      name: s.tag,
      timeZone: this.centers[0]!.tz,
      groups: s.groups,
      users: w.preexisting
        .filter((p) => p.site % this.sites.length === i)
        .map((p) => ({ email: preexistingEmail(this.o, p.email), firstName: 'Pre', lastName: 'Existing' }))
        .filter((u, k, all) => all.findIndex((x) => x.email.toLowerCase() === u.email.toLowerCase()) === k),
    }));
    await this.h.beginCase({ people, reservations }, seedSites);
    await this.anchor();
    await this.h.startSetup();
    this.log(
      `case ${this.caseNo} starts at ${iso(this.t0)} (${this.centers.map((x) => `${x.id}: ${x.tz} ${localDate(this.t0, x.tz)}`).join(', ')})`,
    );

    // The base set-up.
    for (const [i, site] of w.base.centerSites.entries()) {
      if (i >= this.centers.length || site === null) continue;
      await this.setupCenter(i, site, 'base');
    }
    // Items at a center without a site cannot be mapped: the base set-up skips them. The rest go
    // to the set-up workflow together (it applies them one by one; their order does not matter).
    await Promise.all(
      (['products', 'units'] as const).flatMap((kind) =>
        baseItems(w, kind)
          .filter((m) => this.model.centers.get(CENTER_IDS[m.center]!)!.site !== null)
          .map((m) => this.setupItem(kind, m.center, m.item, m.groups, 'base')),
      ),
    );

    await this.population();
    for (const [i, step] of this.c.steps.entries()) {
      const now = await this.h.now();
      this.log(`#${i + 1} ${this.clock(now)} ${describeStep(step, w, this.o)}`);
      const lines = this.trace.length;
      await this.step(step);
      if (!this.trace.slice(lines).some((l) => l.includes('(skipped')))
        count(this.notes, `step: ${stepKind(step)}`);
    }
    // Deskworks retries until everything is accepted: what was held back arrives now.
    while (this.pending.length > 0) await this.send(this.pending.shift()!, 'late');
    await this.checkpoint('end');
    await this.quiet();
    await this.h.reconcile();
    this.handEdited = false;
    await this.checkpoint('after the final reconciliation');
    this.h.lastCaseQuiet = true;
  }

  /** Members (then co-members) that exist when the case starts, each with its plan, delivered at once. */
  private async population(): Promise<void> {
    const w = this.c.world;
    const all = [...this.members.values()];
    const primaries = all.filter((m) => m.kind === 'member');
    for (const [i, m] of all.entries()) {
      const plan = w.plans[i];
      if (plan === null || plan === undefined) continue;
      const now = await this.h.now();
      if (plan !== 'none') {
        const centerId = CENTER_IDS[plan.center % this.centers.length]!;
        const startDate = addDays(localDate(now, this.centerTz(centerId)), plan.start);
        const billing: RecurringBilling = {
          id: `${m.id}-b1`,
          productId: `p${plan.product + 1}`,
          centerId,
          startDate,
          endDate: plan.length === null ? null : addDays(startDate, plan.length),
          status: 'active',
        };
        m.billings.set(billing.id, billing);
        this.emittedBillings.push(billing);
      }
      const link = m.kind === 'comember' ? w.links[i - primaries.length] : null;
      const master = link === null || link === undefined ? null : primaries[link % primaries.length]!;
      if (master && master.created && !master.deleted) {
        m.master = master.id;
        m.created = true;
        const data = { masterMemberId: master.id, member: this.snapshotOf(m, this.nextStamp(now)) };
        await this.emit(this.event('comember.added', data, now), 'now');
      } else {
        await this.emit(this.memberSnapshotEvent(m, now), 'now');
      }
    }
    this.log(
      `existing at the start: ${
        all
          .filter((m) => m.created)
          .map((m) => `${m.local}${m.master ? `→${m.master}` : ''}`)
          .join(', ') || 'nobody'
      }`,
    );
  }

  private clock(now: number): string {
    const m = Math.round((now - this.t0) / MINUTE);
    const d = Math.floor(m / 1440);
    return `[${d > 0 ? `${d}d` : ''}${String(Math.floor((m % 1440) / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}]`;
  }

  /** Moves server time to where this case starts: a local time of day, or just before a DST switch. */
  private async anchor(): Promise<void> {
    const now = await this.h.now();
    const tz = this.centers[0]!.tz;
    const hours = this.c.world.anchor.dstHoursBefore;
    let start: number | null = null;
    if (hours !== null && this.has('dst')) {
      let from = now;
      for (let i = 0; i < 3 && start === null; i++) {
        const change = nextOffsetChange(from, tz);
        if (change === null) break;
        if (change - hours * HOUR > now + MINUTE) start = change - hours * HOUR;
        from = change + HOUR;
      }
    }
    if (start === null) {
      const minutes = (this.c.world.anchor.minute - localMinuteOfDay(now, tz) + 1440) % 1440 || 1440;
      start = Math.ceil((now + minutes * MINUTE) / MINUTE) * MINUTE;
    }
    await this.h.sleep(start - now);
    this.t0 = await this.h.now();
  }

  // ---- steps --------------------------------------------------------------------------------------

  private async step(s: Step): Promise<void> {
    const w = this.c.world;
    switch (s.t) {
      case 'member':
        return this.memberStep(this.members.get(memberName(w, s.who))!, s);
      case 'billing':
        return this.billingStep(this.members.get(memberName(w, s.who))!, s);
      case 'comember':
        return this.comemberStep(s);
      case 'res':
        return this.reservationStep(s);
      case 'deliver':
        for (let k = 0; k < s.n && this.pending.length > 0; k++) {
          const [sent] = this.pending.splice(s.pick % this.pending.length, 1);
          await this.send(sent!, 'held back');
        }
        return;
      case 'dup': {
        if (this.delivered.length === 0) return this.log('   (nothing delivered yet)');
        await this.send(this.delivered[s.pick % this.delivered.length]!, 'again');
        return;
      }
      case 'setup':
        if (s.op === 'center') return this.setupCenter(s.center, s.site, 'step');
        return this.setupItem(s.op === 'product' ? 'products' : 'units', s.center, s.item, s.groups, 'step');
      case 'policy':
        return this.policyStep(s);
      case 'hand':
        return this.handStep(s);
      case 'deleteGroup': {
        const site = this.siteIndex(s.site);
        const existing = site.groups.filter((g) => this.model.siteGroups.get(site.id)!.has(g));
        if (existing.length === 0) return this.log('   (no group left)');
        const group = existing[s.group % existing.length]!;
        await this.quiet();
        if (!(await this.h.deleteGroup(site.id, group))) this.fail(`could not delete ${group}`);
        this.model.deleteGroup(site.id, group);
        this.log(`   deleted ${group}`);
        return;
      }
      case 'fault':
        return this.faultStep(s);
      case 'advance':
        return this.advance(s);
      case 'check':
        return this.checkpoint('check step');
      case 'reconcile':
        await this.quiet();
        await this.h.reconcile();
        this.handEdited = false;
        return;
    }
  }

  private skip(why: string): void {
    this.log(`   (skipped: ${why})`);
  }

  private nextStamp(now: number): string {
    this.lastStamp = Math.max(this.lastStamp + 1, now);
    return iso(this.lastStamp);
  }

  private event(type: DeskworksEventType, data: DeskworksEvent['data'], now: number): DeskworksEvent {
    return { id: `${this.prefix}evt${++this.eventNo}`, type, occurredAt: iso(now), data } as DeskworksEvent;
  }

  private snapshotOf(m: TMember, updatedAt: string): MemberSnapshot {
    return {
      id: m.id,
      centerId: CENTER_IDS[0]!,
      firstName: m.local,
      lastName: 'Model',
      email: m.email,
      phone: null,
      status: m.status,
      masterMemberId: m.master,
      recurringBillings: [...m.billings.values()].map((b) => ({ ...b })),
      updatedAt,
    };
  }

  private memberSnapshotEvent(m: TMember, now: number): DeskworksEvent {
    const type = m.created ? 'member.updated' : 'member.created';
    m.created = true;
    return this.event(type, this.snapshotOf(m, this.nextStamp(now)), now);
  }

  /** Deskworks has the member before anything about it: a step on a member not created yet creates it first. */
  private async ensureCreated(m: TMember, d: Delivery): Promise<void> {
    if (m.created) return;
    this.log(`   (${m.local} is created first)`);
    await this.emit(this.memberSnapshotEvent(m, await this.h.now()), d);
  }

  private async memberStep(m: TMember, s: Extract<Step, { t: 'member' }>): Promise<void> {
    if (m.deleted) return this.skip(`${m.local} was deleted`);
    if (s.op === 'create' && m.created) return this.skip('exists already');
    if (s.op !== 'create') await this.ensureCreated(m, s.d);
    const now = await this.h.now();
    switch (s.op) {
      case 'create':
      case 'touch':
        return this.emit(this.memberSnapshotEvent(m, now), s.d);
      case 'activate':
      case 'deactivate': {
        m.status = s.op === 'activate' ? 'active' : 'inactive';
        if (s.via === 'snapshot') return this.emit(this.memberSnapshotEvent(m, now), s.d);
        const type = s.op === 'activate' ? 'member.activated' : 'member.deactivated';
        return this.emit(this.event(type, { memberId: m.id, updatedAt: this.nextStamp(now) }, now), s.d);
      }
      case 'email': {
        if (m.customer) return this.skip(`${m.local} is a reservation customer (its e-mail stays)`);
        const email = emailOf(this.c.world, this.o, m.local, s.email);
        if (email === m.email) return this.skip('same e-mail');
        m.email = email;
        m.emailChanged = true;
        return this.emit(this.memberSnapshotEvent(m, now), s.d);
      }
      case 'delete':
        if (m.customer) return this.skip(`${m.local} is a reservation customer`);
        m.deleted = true;
        return this.emit(
          this.event('member.deleted', { memberId: m.id, updatedAt: this.nextStamp(now) }, now),
          s.d,
        );
    }
  }

  private async billingStep(m: TMember, s: Extract<Step, { t: 'billing' }>): Promise<void> {
    if (m.deleted) return this.skip(`${m.local} was deleted`);
    if (s.op !== 'set' && !m.billings.has(`${m.id}-b${s.b + 1}`))
      return this.skip(`${m.local} has no billing b${s.b + 1}`);
    await this.ensureCreated(m, s.d);
    const now = await this.h.now();
    const id = `${m.id}-b${s.b + 1}`;
    const held = m.billings.get(id);
    let type: 'billing.created' | 'billing.updated' | 'billing.cancelled';
    if (s.op === 'set') {
      const centerId = CENTER_IDS[s.center % this.centers.length]!;
      const today = localDate(now, this.centerTz(centerId));
      const startDate = addDays(today, s.start);
      const billing: RecurringBilling = {
        id,
        productId: `p${s.product + 1}`,
        centerId,
        startDate,
        endDate: s.length === null ? null : addDays(startDate, s.length),
        status: s.active ? 'active' : 'cancelled',
      };
      m.billings.set(id, billing);
      this.emittedBillings.push(billing);
      type = held ? 'billing.updated' : 'billing.created';
      this.log(
        `   ${id}: ${billing.productId}@${centerId} ${billing.startDate}..${billing.endDate ?? 'open'} ${billing.status}`,
      );
    } else {
      if (!held) return this.skip(`${m.local} has no billing b${s.b + 1}`);
      if (s.op === 'remove') {
        m.billings.delete(id);
        return this.emit(this.memberSnapshotEvent(m, now), s.d);
      }
      m.billings.set(id, { ...held, status: 'cancelled' });
      type = 'billing.cancelled';
    }
    if (s.via === 'snapshot') return this.emit(this.memberSnapshotEvent(m, now), s.d);
    const billing = m.billings.get(id)!;
    return this.emit(
      this.event(type, { memberId: m.id, billing: { ...billing }, updatedAt: this.nextStamp(now) }, now),
      s.d,
    );
  }

  private async comemberStep(s: Extract<Step, { t: 'comember' }>): Promise<void> {
    const w = this.c.world;
    const local = comemberName(w, s.who);
    if (local === null) return this.skip('no co-members in this world');
    const cm = this.members.get(local)!;
    const now = await this.h.now();
    if (cm.deleted) return this.skip(`${local} was deleted`);
    if (s.master === null) {
      if (cm.master === null) return this.skip(`${local} has no master`);
      const masterMemberId = cm.master;
      cm.master = null;
      return this.emit(
        this.event(
          'comember.removed',
          { masterMemberId, memberId: cm.id, updatedAt: this.nextStamp(now) },
          now,
        ),
        s.d,
      );
    }
    const master = this.members.get(primaryName(w, s.master))!;
    if (cm.master !== null) return this.skip(`${local} is a co-member already`);
    if (master.deleted) return this.skip(`${master.local} was deleted`);
    await this.ensureCreated(master, 'now');
    cm.master = master.id;
    cm.created = true;
    return this.emit(
      this.event(
        'comember.added',
        { masterMemberId: master.id, member: this.snapshotOf(cm, this.nextStamp(now)) },
        now,
      ),
      s.d,
    );
  }

  private async customer(i: number): Promise<ReservationSnapshot['customer'] | string> {
    const local = customerName(this.c.world, i);
    const m = this.members.get(local);
    if (m) {
      if (m.deleted) return `${local} was deleted`;
      await this.ensureCreated(m, 'now');
      if (m.emailChanged) return `${local} changed its e-mail`;
      m.customer = true;
      return { type: 'member', id: m.id, firstName: m.local, lastName: 'Model', email: m.email };
    }
    const n = this.nonmembers.get(local)!;
    return { type: 'nonmember', id: n.id, firstName: local, lastName: 'Guest', email: n.email };
  }

  private async reservationStep(s: Extract<Step, { t: 'res' }>): Promise<void> {
    const id = this.pid(`r${s.r + 1}`);
    const now = await this.h.now();
    const r = this.reservations.get(id) ?? { id, snap: null, cancelled: false };
    this.reservations.set(id, r);
    if (r.cancelled) return this.skip('cancelled already');
    const at = Math.ceil(now / MINUTE) * MINUTE;
    if (s.op === 'create') {
      if (r.snap) return this.skip('exists already');
      const customer = await this.customer(s.customer);
      if (typeof customer === 'string') return this.skip(customer);
      const start = at + s.start * 10 * MINUTE;
      r.snap = {
        id,
        reservationUnitId: `u${s.unit + 1}`,
        centerId: CENTER_IDS[s.center % this.centers.length]!,
        start: iso(start),
        end: iso(start + s.dur * 15 * MINUTE),
        status: 'confirmed',
        customer,
        updatedAt: this.nextStamp(now),
      };
      return this.emitReservation(r, 'reservation.created', now, s.d);
    }
    if (!r.snap) return this.skip('not created yet');
    switch (s.op) {
      case 'move': {
        const start = at + s.start * 10 * MINUTE;
        r.snap = { ...r.snap, start: iso(start), end: iso(start + s.dur * 15 * MINUTE) };
        break;
      }
      case 'unit':
        r.snap = {
          ...r.snap,
          reservationUnitId: `u${s.unit + 1}`,
          centerId: CENTER_IDS[s.center % this.centers.length]!,
        };
        break;
      case 'customer': {
        const customer = await this.customer(s.customer);
        if (typeof customer === 'string') return this.skip(customer);
        r.snap = { ...r.snap, customer };
        break;
      }
      case 'cancel':
        r.cancelled = true;
        if (s.via === 'event')
          return this.emit(
            this.event('reservation.cancelled', { reservationId: id, updatedAt: this.nextStamp(now) }, now),
            s.d,
          );
        r.snap = { ...r.snap, status: 'cancelled' };
        break;
    }
    r.snap = { ...r.snap, updatedAt: this.nextStamp(now) };
    return this.emitReservation(r, 'reservation.updated', now, s.d);
  }

  private emitReservation(
    r: TReservation,
    type: 'reservation.created' | 'reservation.updated',
    now: number,
    d: Delivery,
  ): Promise<void> {
    const snap = r.snap!;
    this.emittedWindows.push({ start: Date.parse(snap.start), end: Date.parse(snap.end) });
    this.log(
      `   ${snap.id}: ${snap.customer.id} ${snap.reservationUnitId}@${snap.centerId} ${snap.start}..${snap.end} ${snap.status}`,
    );
    return this.emit(this.event(type, { ...snap, customer: { ...snap.customer } }, now), d);
  }

  // ---- delivery -----------------------------------------------------------------------------------

  private async emit(event: DeskworksEvent, d: Delivery): Promise<void> {
    const label = `${event.id} ${event.type}`;
    const parsed = parseDeskworksEvent(JSON.parse(JSON.stringify(event)));
    if (!parsed.ok) {
      const key = `${event.type}: ${parsed.issues.map((i) => `${i.path} ${i.message}`).join('; ')}`;
      this.notes.schemaRejects.set(key, (this.notes.schemaRejects.get(key) ?? 0) + 1);
    }
    if (d === 'later') {
      this.pending.push({ event, label });
      this.log(`   ${label} held back`);
      return;
    }
    await this.send({ event, label }, 'now');
    if (d === 'twice') this.pending.push({ event, label });
  }

  private async send(sent: Sent, how: string): Promise<void> {
    if (sent.event.type === 'reservation.created' || sent.event.type === 'reservation.updated')
      await this.awayFromEdges();
    const at = await this.h.now();
    this.model.deliver(sent.event, at);
    await this.h.deliver(sent.event);
    this.delivered.push(sent);
    this.log(`   ${sent.label} delivered${how === 'now' ? '' : ` (${how})`}`);
  }

  // ---- set-up -------------------------------------------------------------------------------------

  /**
   * A set-up change checks SALTO KS first; when SALTO KS cannot be read (faults injected), nothing
   * changes and the page says to try again: the operator does, once SALTO KS answers.
   */
  private async operatorAsks(ask: () => Promise<SetupAnswer>): Promise<SetupAnswer> {
    const first = await ask();
    if (first.ok || !first.saltoUnavailable) return first;
    this.log(`   (SALTO KS could not be read: ${first.message}; the operator tries again once it answers)`);
    await this.h.clearFaults();
    this.consistencyFault = false;
    return ask();
  }

  private async setupCenter(center: number, site: number, why: string): Promise<void> {
    const centerId = CENTER_IDS[center % this.centers.length]!;
    const s = this.siteIndex(site);
    const expected = this.model.mapCenter(centerId, s.id);
    const answer = await this.operatorAsks(() => this.h.mapCenter(centerId, s.id, this.centerTz(centerId)));
    if (why === 'base') this.log(`set-up: center ${centerId} → ${s.tag}`);
    if (answer.ok !== expected)
      this.fail(
        `set-up: center ${centerId} → ${s.tag} was ${answer.ok ? 'accepted' : `rejected (${answer.message})`}, the model expected the opposite`,
      );
  }

  private async setupItem(
    kind: 'products' | 'units',
    center: number,
    item: number,
    groupPicks: number[],
    why: string,
  ): Promise<void> {
    const centerId = CENTER_IDS[center % this.centers.length]!;
    const siteId = this.model.centers.get(centerId)!.site ?? this.sites[0]!.id;
    const site = this.sites.find((x) => x.id === siteId)!;
    const groups = [...new Set(groupPicks.map((g) => site.groups[g % site.groups.length]!))];
    const itemId = `${kind === 'products' ? 'p' : 'u'}${item + 1}`;
    const expected = this.model.mapItem(kind, centerId, itemId, groups);
    const answer = await this.operatorAsks(() => this.h.mapItem(kind, centerId, itemId, groups));
    const text = `${itemId}@${centerId} = [${groups.join(', ')}]`;
    this.log(
      `${why === 'base' ? 'set-up: ' : '   '}${text} ${answer.ok ? 'accepted' : `rejected (${answer.message})`}`,
    );
    if (answer.ok !== expected)
      this.fail(
        `set-up: ${text} was ${answer.ok ? 'accepted' : 'rejected'}, the model expected the opposite`,
      );
  }

  private async policyStep(s: Extract<Step, { t: 'policy' }>): Promise<void> {
    const change: {
      noAccessPolicy?: 'keep' | 'block' | 'delete';
      reservationLeadMinutes?: number;
      reservationLagMinutes?: number;
    } = {};
    if (s.noAccess !== null) change.noAccessPolicy = s.noAccess;
    if (s.lead !== null) change.reservationLeadMinutes = s.lead;
    if (s.lag !== null) change.reservationLagMinutes = s.lag;
    if (Object.keys(change).length === 0) return this.skip('no change');
    await this.awayFromEdges();
    const now = await this.h.now();
    this.model.setPolicy(
      {
        ...(s.lead !== null ? { lead: s.lead } : {}),
        ...(s.lag !== null ? { lag: s.lag } : {}),
        ...(s.noAccess !== null ? { noAccess: s.noAccess } : {}),
      },
      now,
    );
    if (s.lead !== null) this.leads.add(s.lead);
    if (s.lag !== null) this.lags.add(s.lag);
    const answer = await this.h.setPolicy(change);
    if (!answer.ok) this.fail(`set-up policy change rejected: ${answer.message}`);
  }

  // ---- SALTO KS by hand, and its faults ---------------------------------------------------------------

  private async handStep(s: Extract<Step, { t: 'hand' }>): Promise<void> {
    const site = this.siteIndex(s.site);
    await this.quiet();
    const state = (await this.h.saltoState()).sites.find((x) => x.id === site.id);
    if (!state) this.fail(`no site ${site.tag} in SALTO KS`);
    const groupsOf = (userId: string): string[] =>
      state.access_groups
        .filter((g) => g.members.includes(userId))
        .map((g) => g.id)
        .sort();
    const users = [...state.users].sort((a, b) => a.email.localeCompare(b.email));
    const managed = users.filter((u) => u.alias?.startsWith('deskworks:'));
    const base = `/v1.2/sites/${site.id}`;
    if (s.op === 'deleteUser') {
      if (users.length === 0) return this.skip('no users');
      const u = users[s.user % users.length]!;
      await this.h.byHand('DELETE', `${base}/users/${u.id}`, undefined, this.consistencyFault);
      this.log(`   deleted ${u.email} (groups ${groupsOf(u.userId).join(', ') || '–'})`);
    } else if (s.op === 'removeGroup') {
      const holding = managed.filter((u) => groupsOf(u.userId).length > 0);
      if (holding.length === 0) return this.skip('nobody holds a group');
      const u = holding[s.user % holding.length]!;
      const groups = groupsOf(u.userId);
      const g = groups[s.group % groups.length]!;
      await this.h.byHand(
        'DELETE',
        `${base}/access_groups/${g}/users/${u.userId}`,
        undefined,
        this.consistencyFault,
      );
      this.log(`   removed ${u.email} from ${g}`);
    } else {
      if (managed.length === 0) return this.skip('no users of ours');
      const u = managed[s.user % managed.length]!;
      const held = groupsOf(u.userId);
      const free = state.access_groups.map((g) => g.id).filter((g) => !held.includes(g));
      if (free.length === 0) return this.skip(`${u.email} holds every group`);
      const g = free[s.group % free.length]!;
      await this.h.byHand(
        'POST',
        `${base}/access_groups/${g}/users`,
        { user_id: u.userId },
        this.consistencyFault,
      );
      this.log(`   added ${u.email} to ${g}`);
    }
    this.handEdited = true;
  }

  private async faultStep(s: Extract<Step, { t: 'fault' }>): Promise<void> {
    await this.quiet();
    if (s.kind === 'timeout') return this.h.slowFor(1200);
    if (s.kind === 'consistency') {
      this.consistencyFault = true;
      await this.h.setFaults({ eventualConsistencyMs: 400 });
      return;
    }
    const status = Number(s.kind);
    await this.h.setFaults({
      errors: [
        {
          status,
          count: s.n,
          ...(status === 429 || status === 503 ? { retryAfterSeconds: 1 } : {}),
          ...(s.method ? { method: s.method } : {}),
        },
      ],
      ...(this.consistencyFault ? { eventualConsistencyMs: 400 } : {}),
    });
  }

  // ---- time -----------------------------------------------------------------------------------------

  /** Every instant at which access may change by itself: billing midnights, window edges, ends. */
  private edges(): number[] {
    const out = new Set<number>(this.model.edges());
    for (const b of this.emittedBillings) {
      const tz = this.centerTz(b.centerId);
      out.add(startOfDay(b.startDate, tz));
      if (b.endDate !== null) out.add(startOfDay(addDays(b.endDate, 1), tz));
    }
    for (const r of this.emittedWindows) {
      out.add(r.start);
      out.add(r.end);
      for (const lead of this.leads) out.add(r.start - lead * MINUTE);
      for (const lag of this.lags) out.add(r.end + lag * MINUTE);
    }
    return [...out].sort((a, b) => a - b);
  }

  private async advance(s: Extract<Step, { t: 'advance' }>): Promise<void> {
    const now = await this.h.now();
    const edges = this.edges();
    let target: number;
    if (s.kind === 'min') target = now + s.n * 5 * MINUTE;
    else if (s.kind === 'days') target = now + s.n * DAY;
    else {
      const ahead = edges.filter((e) => e > now + 30_000);
      if (ahead.length === 0) return this.skip('no edge ahead');
      target = ahead[Math.min(s.nth, ahead.length - 1)]! + s.off * MINUTE;
    }
    // Never stop right at an edge: the engine and the model may read the instant differently.
    while (edges.some((e) => Math.abs(e - target) < 60_000)) target += 90_000;
    if (target <= now + 1000) return this.skip('already there');
    await this.h.sleep(target - now);
    const after = await this.h.now();
    const crossed = edges.filter((e) => e > now && e <= after);
    if (this.centers.some((x) => utcOffset(now, x.tz) !== utcOffset(after, x.tz)))
      count(this.notes, 'time passed a DST switch');
    this.log(
      `   now ${this.clock(after)} ${iso(after)}${crossed.length > 0 ? `, crossed ${crossed.map((e) => this.clock(e)).join(' ')}` : ''}`,
    );
    // Every advance is followed by a checkpoint (the brief asks for one after each that crosses an edge).
    await this.checkpoint(crossed.length > 0 ? 'after crossing an edge' : 'after time passed');
  }

  // ---- quiet and checkpoints --------------------------------------------------------------------------

  /** Persons whose e-mail the model knows: the engine can and must bring them in sync. */
  private mustSync(workflowId: string): boolean {
    return (
      workflowId.startsWith('person-') && this.model.emailOf(workflowId.slice('person-'.length)) !== null
    );
  }

  /**
   * Waits until no workflow of the case has a task or activity in flight, two looks in a row see
   * the same histories, every person the engine can sync is in sync, and no instant at which
   * access changes by itself is near. Retry waits (an activity's backoff, a person's retry timer)
   * run on server time, so they are skipped by letting server time pass (in growing steps, up to
   * MAX_NUDGE); so is an edge that lies just ahead (the engine then acts on it first).
   */
  private async quiet(): Promise<{ snap: WorkflowSnapshot; stuck: string[] }> {
    const deadline = Date.now() + 60_000;
    let prev: WorkflowSnapshot | null = null;
    let nudged = 0;
    let nudge = 2_000;
    let nudgedFor = '';
    let totalNudged = 0; // never more than three budgets in all, whoever is out of sync
    let saltoAtBudget = '';
    for (;;) {
      const snap = await this.h.snapshot();
      const outOfSync = snap.outOfSync.filter((id) => this.mustSync(id));
      const stable = prev !== null && sameLengths(prev, snap) && snap.busy.length === 0;
      if (stable && snap.backingOff.length === 0) {
        // Each new set of people out of sync gets the whole budget: a claim made after another
        // person's claim was confirmed (a plan starting meanwhile) waits its own 2 minutes.
        // So does a set whose budget ran out while SALTO KS changed: the engine is moving (after an
        // e-mail change, a claim on the old e-mail's user, confirmed, then one on the new one's).
        const waitingFor = outOfSync.join(' ');
        const fresh =
          waitingFor !== nudgedFor ||
          (outOfSync.length > 0 &&
            nudged >= MAX_NUDGE &&
            JSON.stringify(await this.h.saltoState()) !== saltoAtBudget);
        if (fresh && totalNudged < 3 * MAX_NUDGE) {
          nudgedFor = waitingFor;
          nudged = 0;
          nudge = 2_000;
          if (outOfSync.length > 0) saltoAtBudget = JSON.stringify(await this.h.saltoState());
        }
        if (outOfSync.length > 0 && nudged < MAX_NUDGE) {
          await this.h.sleep(nudge); // a person's retry timer
          nudged += nudge;
          totalNudged += nudge;
          nudge = Math.min(2 * nudge, 60_000);
          prev = null;
          continue;
        }
        const now = await this.h.now();
        const near = this.edges().find((e) => e > now - 2_000 && e < now + EDGE_MARGIN);
        if (near === undefined) return { snap, stuck: outOfSync };
        await this.h.sleep(near + 5_000 - now);
        prev = null;
        continue;
      }
      if (snap.busy.length === 0 && snap.backingOff.length > 0) {
        await this.h.sleep(1_000); // an activity's retry backoff
        nudged += 1_000;
        prev = null;
        continue;
      }
      if (Date.now() > deadline)
        this.fail(
          `the engine never became quiet: busy ${snap.busy.join(', ') || '–'}; retrying ${snap.backingOff.join(', ') || '–'}`,
        );
      prev = snap;
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /**
   * Some effects depend on the instant they happen at (a reservation that ended before it arrived,
   * a window that closed before a lag change): never let them happen within seconds of an edge.
   */
  private async awayFromEdges(): Promise<void> {
    for (let i = 0; i < 10; i++) {
      const now = await this.h.now();
      const near = this.edges().find((e) => e > now - 3_000 && e < now + 30_000);
      if (near === undefined) return;
      await this.h.sleep(near + 5_000 - now);
    }
  }

  private async checkpoint(label: string): Promise<void> {
    if (this.handEdited) {
      // The periodic reconciliation is how hand edits are found: it runs before the comparison.
      await this.quiet();
      await this.h.reconcile();
      this.handEdited = false;
      this.log('   (reconciliation ran first: SALTO KS was edited by hand)');
    }
    for (let attempt = 1; attempt <= 6; attempt++) {
      const { snap, stuck } = await this.quiet();
      const before = await this.h.now();
      const state = await this.h.saltoState();
      const after = await this.h.now();
      const again = await this.h.snapshot();
      if (!sameLengths(snap, again) || again.busy.length > 0) continue; // it moved while we looked
      const expected = this.model.expected(before);
      if (!sameExpected(expected, this.model.expected(after))) continue; // an edge passed while we looked
      const problems = this.compare(state, expected, before);
      if (this.consistencyFault) {
        await this.h.setFaults({});
        this.consistencyFault = false;
      }
      if (problems.length === 0) {
        count(this.notes, 'checkpoints passed');
        for (const label of this.model.coverage(before)) count(this.notes, `checkpoint: ${label}`);
        this.log(
          `   ✓ ${label} at ${this.clock(before)}${stuck.length > 0 ? ` (still retrying: ${stuck.join(', ')})` : ''}`,
        );
        return;
      }
      const detail = await this.diagnose(problems, before, stuck);
      this.fail(
        [
          `checkpoint "${label}" at ${this.clock(before)} ${iso(before)}: SALTO KS differs from the model`,
          ...problems.map((p) => `  - ${p.text}`),
          ...(stuck.length > 0 ? [`  (out of sync and still retrying: ${stuck.join(', ')})`] : []),
          ...detail,
        ].join('\n'),
      );
    }
    this.fail(`checkpoint "${label}": the engine kept moving while SALTO KS was read`);
  }

  private compare(state: SimStateView, expected: Expected, at: number): { text: string; email: string }[] {
    const problems: { text: string; email: string }[] = [];
    for (const site of state.sites) {
      const tag = this.siteTag(site.id);
      const groupsOf = (userId: string): string[] =>
        site.access_groups
          .filter((g) => g.members.includes(userId))
          .map((g) => g.id)
          .sort();
      const byEmail = new Map<string, SimStateView['sites'][number]['users']>();
      for (const u of site.users)
        byEmail.set(u.email.toLowerCase(), [...(byEmail.get(u.email.toLowerCase()) ?? []), u]);
      const want = expected.get(site.id) ?? new Map<string, string[] | 'skip'>();
      for (const email of [...new Set([...want.keys(), ...byEmail.keys()])].sort()) {
        const users = byEmail.get(email) ?? [];
        if (users.length > 1)
          problems.push({
            email,
            text: `${tag}: ${users.length} SALTO KS users with e-mail ${email} (${users.map((u) => u.alias ?? 'no alias').join(', ')}) — one per e-mail (rule 6)`,
          });
        const w = want.get(email) ?? [];
        if (w === 'skip') continue;
        const have = [...new Set(users.flatMap((u) => groupsOf(u.userId)))].sort();
        if (have.join() !== w.join())
          problems.push({
            email,
            text: `${tag} ${email}: SALTO KS holds [${have.join(', ')}], the model says [${w.join(', ')}]${diffText(have, w)}${users.length > 0 ? ` (the user's alias: ${users.map((u) => u.alias ?? 'none').join(', ')})` : ' (no user)'}`,
          });
        for (const u of users) {
          const g = groupsOf(u.userId);
          if (g.length > 0 && u.blocked)
            problems.push({
              email,
              text: `${tag} ${email}: blocked although it holds ${g.join(', ')} (rule 5; the user's alias: ${u.alias ?? 'none'})`,
            });
          // Rule 5, unless the user's only groups were deleted in SALTO KS (the contract does not say).
          if (
            g.length === 0 &&
            u.alias?.startsWith('deskworks:') &&
            !this.model.wantsDeletedGroup(site.id, email, at)
          ) {
            if (this.model.policy.noAccess === 'block' && !u.blocked)
              problems.push({
                email,
                text: `${tag} ${email}: no group left but not blocked (policy block, rule 5)`,
              });
            if (this.model.policy.noAccess === 'delete')
              problems.push({
                email,
                text: `${tag} ${email}: no group left but not deleted (policy delete, rule 5)`,
              });
          }
        }
      }
    }
    return problems;
  }

  /** What the model and the engine think of each person behind the e-mails that differ. */
  /** The model's and the engine's view of each person concerned: by e-mail, or still retrying (`stuck`). */
  private async diagnose(problems: { email: string }[], at: number, stuck: string[] = []): Promise<string[]> {
    const emails = new Set(problems.map((p) => p.email));
    const lines: string[] = [];
    const ids = [...this.members.values()]
      .map((m) => m.id)
      .concat([...this.nonmembers.values()].map((n) => n.id));
    for (const id of ids) {
      const email = this.model.emailOf(id)?.toLowerCase();
      if (!email || !(emails.has(email) || stuck.includes(`person-${id}`))) continue;
      const reasons: string[] = [];
      const mine = this.model.groupsOf(id, at, (why, site, groups) =>
        reasons.push(`${this.siteTag(site)}: ${groups.join(', ')} from ${why}`),
      );
      const modelText =
        mine === 'skip' ? 'undecided (its master has no status yet)' : reasons.join('; ') || 'nothing';
      let engine: string;
      try {
        const v = await this.h.access(id);
        const sg = (x: Record<string, string[]>): string =>
          Object.entries(x)
            .map(([s, g]) => `${this.siteTag(s)}: ${g.join(', ')}`)
            .join('; ') || 'nothing';
        engine = `desired ${sg(v.desired)} | applied ${sg(v.applied)} | inSync ${v.inSync}${v.lastError ? ` | lastError ${v.lastError}` : ''}${v.warnings.length ? ` | warnings ${v.warnings.join(' / ')}` : ''}`;
        // Why the engine wants each group, and when it last passed and will wake: an intermittent
        // failure has only this one report to explain it.
        const why = Object.entries(v.reasons)
          .flatMap(([site, groups]) =>
            Object.entries(groups).map(
              ([group, rs]) => `${this.siteTag(site)}${group}: ${rs.map(reasonText).join(' + ')}`,
            ),
          )
          .join('; ');
        engine += `\n      engine reasons: ${why || 'none'} | master ${v.masterId ?? 'none'} | last pass ${v.lastSyncAt ?? 'never'} | next change ${v.nextChangeAt ?? 'never'}`;
      } catch (err) {
        engine = `no answer (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`;
      }
      lines.push(`  ${id} <${email}>: model ${modelText}`, `      engine: ${engine}`);
    }
    return lines;
  }
}

function reasonText(r: AccessReason): string {
  switch (r.kind) {
    case 'billing':
      return `billing ${r.billingId} (${r.productId}@${r.centerId})`;
    case 'master':
      return `master ${r.masterId}`;
    case 'reservation':
      return `reservation ${r.reservationId} (${r.unitId}@${r.centerId})`;
    case 'shared-email':
      return `shared e-mail with ${r.personId}`;
  }
}

function diffText(have: string[], want: string[]): string {
  const missing = want.filter((g) => !have.includes(g));
  const extra = have.filter((g) => !want.includes(g));
  return ` (${[missing.length > 0 ? `missing ${missing.join(', ')}` : '', extra.length > 0 ? `no rule gives ${extra.join(', ')}` : ''].filter(Boolean).join('; ')})`;
}

function stepKind(s: Step): string {
  switch (s.t) {
    case 'member':
    case 'billing':
    case 'res':
      return `${s.t === 'res' ? 'reservation' : s.t} ${s.op}${'d' in s && s.d !== 'now' ? ` (${s.d})` : ''}`;
    case 'setup':
      return `set-up ${s.op}`;
    case 'hand':
      return `hand edit: ${s.op}`;
    case 'fault':
      return `fault ${s.kind}`;
    case 'advance':
      return `time (${s.kind})`;
    default:
      return s.t;
  }
}

function sameLengths(a: WorkflowSnapshot, b: WorkflowSnapshot): boolean {
  if (a.lengths.size !== b.lengths.size) return false;
  for (const [id, n] of a.lengths) if (b.lengths.get(id) !== n) return false;
  return true;
}

function sameExpected(a: Expected, b: Expected): boolean {
  const flat = (e: Expected): string =>
    JSON.stringify([...e].map(([s, m]) => [s, [...m].sort(([x], [y]) => x.localeCompare(y))]));
  return flat(a) === flat(b);
}
