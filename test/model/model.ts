// The independent model of rules 1–7 (shared/contracts/deskworks-events.md): from the set-up and
// the newest delivered Deskworks facts, which access groups each e-mail must hold on each SALTO KS
// site at an instant. Deliberately small, and sharing no code with src/core or src/workflows.
//
// Decisions the contract leaves open, made here (and only exercised the way stated):
// - "Newest updatedAt wins" per fact: a member's e-mail, status, master, and each billing are
//   separate facts; a whole snapshot speaks for all of them (it is the whole billing list: a
//   billing it lacks is gone unless a newer billing event tells otherwise). Equal stamps change
//   nothing, so duplicates change nothing.
// - A person with no status fact yet (only billing events arrived) is "active" for its own
//   billings, but a co-member inheriting from such a master is not checked (indeterminate).
// - Reservations grant whatever the customer's status (rule 3 names no status), but nothing to a
//   deleted member. A reservation is cancelled once the newest fact about it is a cancellation.
// - "Ended before it arrived", judged per snapshot: a snapshot grants if its end was still ahead
//   when it arrived, or if the reservation was open then (a running reservation moved to an end
//   just past keeps its lag). One that had ended on arrival otherwise grants nothing, even when
//   the reservation granted before (moved into the recent past after it ran).
// - Lead/lag changes (rule 7) move windows not yet closed; a window that had closed stays closed
//   until a newer snapshot of the reservation arrives.
// - One SALTO KS user per e-mail (case-insensitive) per site holds the union over every record
//   with that e-mail; a deleted access group is held by nobody.
import type {
  DeskworksEvent,
  MemberSnapshot,
  RecurringBilling,
  ReservationSnapshot,
} from '../../src/api/deskworks-events';
import { addDays, startOfDay, TIME } from './tz';

export type NoAccess = 'keep' | 'block' | 'delete';

export interface ModelCenter {
  site: string | null;
  timeZone: string;
  products: Record<string, string[]>;
  units: Record<string, string[]>;
}

export interface ModelPolicy {
  lead: number;
  lag: number;
  noAccess: NoAccess;
}

interface Fact<T> {
  at: number;
  value: T;
}

interface PersonFacts {
  email?: Fact<string>;
  status?: Fact<'active' | 'inactive'>;
  master?: Fact<string | null>;
  /** Each billing as its newest billing event or snapshot told it. */
  billings: Map<string, Fact<RecurringBilling>>;
  /** The newest snapshot's time: it is the whole list, so a billing it lacks and knows nothing newer of is gone. */
  listAt: number;
  deletedAt?: number;
  /** A non-member's e-mail, from the reservations naming it as customer. */
  customerEmail?: string;
}

interface ReservationFacts {
  snapshot?: ReservationSnapshot;
  snapshotAt: number;
  cancelledAt: number;
  /** The current snapshot may grant: it arrived before its end, or while the reservation was open. */
  alive: boolean;
  /** End of a window that closed before a lead/lag change (it stays closed). */
  frozenEnd: number | null;
}

/** Per site, per lower-case e-mail: the groups, or 'skip' when the facts do not decide it. */
export type Expected = Map<string, Map<string, string[] | 'skip'>>;

const stamp = (iso: string): number => Date.parse(iso);

export class AccessModel {
  readonly centers = new Map<string, ModelCenter>();
  policy: ModelPolicy = { lead: 15, lag: 15, noAccess: 'keep' };
  /** Groups that exist, per site (a group deleted in SALTO KS is gone). */
  readonly siteGroups: Map<string, Set<string>>;
  private readonly people = new Map<string, PersonFacts>();
  private readonly reservations = new Map<string, ReservationFacts>();
  /** The reservations whose current snapshot names each customer (so a person's are found fast). */
  private readonly reservationsByCustomer = new Map<string, Set<ReservationFacts>>();

  constructor(siteGroups: Record<string, string[]>, timeZones: Record<string, string>) {
    this.siteGroups = new Map(Object.entries(siteGroups).map(([s, g]) => [s, new Set(g)]));
    for (const [id, timeZone] of Object.entries(timeZones))
      this.centers.set(id, { site: null, timeZone, products: {}, units: {} });
  }

  // ---- the set-up (admin-api.md), validated as the set-up page validates it ---------------------

  mapCenter(centerId: string, siteId: string): boolean {
    const center = this.centers.get(centerId);
    if (!center || !this.siteGroups.has(siteId)) return false;
    if (center.site !== siteId) {
      // Groups belong to one site: moving a center clears its products' and units' groups.
      for (const k of Object.keys(center.products)) center.products[k] = [];
      for (const k of Object.keys(center.units)) center.units[k] = [];
    }
    center.site = siteId;
    return true;
  }

  mapItem(kind: 'products' | 'units', centerId: string, itemId: string, groups: string[]): boolean {
    const center = this.centers.get(centerId);
    if (!center || center.site === null) return false;
    const existing = this.siteGroups.get(center.site) ?? new Set<string>();
    if (!groups.every((g) => existing.has(g))) return false;
    center[kind][itemId] = [...new Set(groups)].sort();
    return true;
  }

  setPolicy(change: Partial<ModelPolicy>, atMs: number): void {
    const next = { ...this.policy, ...change };
    if (next.lag !== this.policy.lag || next.lead !== this.policy.lead) {
      for (const r of this.reservations.values()) {
        if (!r.snapshot || r.frozenEnd !== null) continue;
        const end = stamp(r.snapshot.end) + this.policy.lag * TIME.MINUTE;
        if (atMs >= end) r.frozenEnd = end;
      }
    }
    this.policy = next;
  }

  deleteGroup(siteId: string, groupId: string): void {
    this.siteGroups.get(siteId)?.delete(groupId);
  }

  // ---- Deskworks facts --------------------------------------------------------------------------

  private person(id: string): PersonFacts {
    let p = this.people.get(id);
    if (!p) {
      p = { billings: new Map(), listAt: -Infinity };
      this.people.set(id, p);
    }
    return p;
  }

  private reservation(id: string): ReservationFacts {
    let r = this.reservations.get(id);
    if (!r) {
      r = { snapshotAt: -Infinity, cancelledAt: -Infinity, alive: false, frozenEnd: null };
      this.reservations.set(id, r);
    }
    return r;
  }

  private newer<T>(fact: Fact<T> | undefined, at: number): boolean {
    return fact === undefined || at > fact.at;
  }

  private snapshot(member: MemberSnapshot, masterId: string | null): void {
    const p = this.person(member.id);
    const at = stamp(member.updatedAt);
    if (this.newer(p.email, at)) p.email = { at, value: member.email };
    if (this.newer(p.status, at)) p.status = { at, value: member.status };
    if (this.newer(p.master, at)) p.master = { at, value: masterId };
    for (const b of member.recurringBillings) this.billing(member.id, b, at);
    p.listAt = Math.max(p.listAt, at);
  }

  /** The person's billings as the newest facts tell them. */
  private billingsOf(p: PersonFacts): RecurringBilling[] {
    return [...p.billings.values()].filter((f) => f.at >= p.listAt).map((f) => f.value);
  }

  private billing(personId: string, b: RecurringBilling, at: number): void {
    const p = this.person(personId);
    if (this.newer(p.billings.get(b.id), at)) p.billings.set(b.id, { at, value: b });
  }

  /** One delivery of one event (again, or late: the newest fact wins either way). */
  deliver(event: DeskworksEvent, arrivedAtMs: number): void {
    switch (event.type) {
      case 'member.created':
      case 'member.updated':
        this.snapshot(event.data, event.data.masterMemberId);
        return;
      case 'comember.added':
        this.snapshot(event.data.member, event.data.masterMemberId);
        return;
      case 'member.activated':
      case 'member.deactivated': {
        const p = this.person(event.data.memberId);
        const at = stamp(event.data.updatedAt);
        const value = event.type === 'member.activated' ? 'active' : 'inactive';
        if (this.newer(p.status, at)) p.status = { at, value };
        return;
      }
      case 'member.deleted': {
        const p = this.person(event.data.memberId);
        const at = stamp(event.data.updatedAt);
        p.deletedAt = Math.max(p.deletedAt ?? -Infinity, at);
        return;
      }
      case 'comember.removed': {
        const p = this.person(event.data.memberId);
        const at = stamp(event.data.updatedAt);
        if (this.newer(p.master, at)) p.master = { at, value: null };
        return;
      }
      case 'billing.created':
      case 'billing.updated':
      case 'billing.cancelled': {
        const b: RecurringBilling =
          event.type === 'billing.cancelled'
            ? { ...event.data.billing, status: 'cancelled' }
            : event.data.billing;
        this.billing(event.data.memberId, b, stamp(event.data.updatedAt));
        return;
      }
      case 'reservation.created':
      case 'reservation.updated': {
        const s = event.data;
        const r = this.reservation(s.id);
        const customer = this.person(s.customer.id);
        customer.customerEmail ??= s.customer.email;
        const at = stamp(s.updatedAt);
        if (at <= r.snapshotAt) return;
        const openAtArrival = this.isOpen(r, arrivedAtMs);
        if (r.snapshot) this.reservationsByCustomer.get(r.snapshot.customer.id)?.delete(r);
        let mine = this.reservationsByCustomer.get(s.customer.id);
        if (!mine) this.reservationsByCustomer.set(s.customer.id, (mine = new Set()));
        mine.add(r);
        r.snapshot = s;
        r.snapshotAt = at;
        r.frozenEnd = null;
        r.alive = openAtArrival || stamp(s.end) > arrivedAtMs;
        return;
      }
      case 'reservation.cancelled': {
        const r = this.reservation(event.data.reservationId);
        r.cancelledAt = Math.max(r.cancelledAt, stamp(event.data.updatedAt));
        return;
      }
      default:
        return; // the catalog is not modelled: the set-up page maps by id
    }
  }

  private cancelled(r: ReservationFacts): boolean {
    return r.cancelledAt > r.snapshotAt || r.snapshot?.status === 'cancelled';
  }

  // ---- rules 1–4 at an instant ------------------------------------------------------------------

  /** Rule 1 groups of a billing, as [site, groups], when it gives access at t. */
  private billingGroups(b: RecurringBilling, t: number): [string, string[]] | null {
    if (b.status !== 'active') return null;
    if (b.endDate !== null && b.endDate < b.startDate) return null;
    const center = this.centers.get(b.centerId);
    if (!center || center.site === null) return null;
    const groups = center.products[b.productId] ?? [];
    if (groups.length === 0) return null;
    const from = startOfDay(b.startDate, center.timeZone);
    const until = b.endDate === null ? Infinity : startOfDay(addDays(b.endDate, 1), center.timeZone);
    return from <= t && t < until ? [center.site, groups] : null;
  }

  private isActive(p: PersonFacts): boolean {
    return p.deletedAt === undefined && (p.status?.value ?? 'active') === 'active';
  }

  /** Rule 1: what the person's own plans give. */
  private planGroups(p: PersonFacts, t: number, into: Map<string, Set<string>>, why?: Why, via = ''): void {
    if (!this.isActive(p)) return;
    for (const b of this.billingsOf(p)) {
      const granted = this.billingGroups(b, t);
      if (granted) add(into, granted[0], granted[1]);
      if (granted) why?.(`${via}billing ${b.id} (rule 1${via ? ', 2' : ''})`, granted[0], granted[1]);
    }
  }

  /**
   * Rules 1–4 for one person: groups per site, or 'skip' when the facts do not decide it. `why`
   * hears each reason (for the failure report only).
   */
  groupsOf(personId: string, t: number, why?: Why): Map<string, Set<string>> | 'skip' {
    const p = this.people.get(personId);
    const out = new Map<string, Set<string>>();
    if (!p || p.deletedAt !== undefined) return out;
    this.planGroups(p, t, out, why);
    // Rule 2: an active co-member holds what its active master's plans give.
    const masterId = p.master?.value ?? null;
    const master = masterId === null ? undefined : this.people.get(masterId);
    if (masterId !== null && this.isActive(p) && master) {
      if (master.status === undefined && this.billingsOf(master).length > 0 && master.deletedAt === undefined)
        return 'skip';
      this.planGroups(master, t, out, why, `master ${masterId}: `);
    }
    // Rule 3: reservations, whatever the status.
    for (const r of this.reservationsByCustomer.get(personId) ?? []) {
      const s = r.snapshot;
      if (!s || s.customer.id !== personId || !this.isOpen(r, t)) continue;
      const center = this.centers.get(s.centerId);
      const groups = center?.site ? (center.units[s.reservationUnitId] ?? []) : [];
      if (center?.site && groups.length > 0) {
        add(out, center.site, groups);
        why?.(`reservation ${s.id} (rule 3)`, center.site, groups);
      }
    }
    return out;
  }

  /** Whether the reservation grants at t (rule 3): a live, uncancelled snapshot whose window holds t. */
  private isOpen(r: ReservationFacts, t: number): boolean {
    const s = r.snapshot;
    if (!s || !r.alive || this.cancelled(r)) return false;
    const opens = stamp(s.start) - this.policy.lead * TIME.MINUTE;
    const closes = r.frozenEnd ?? stamp(s.end) + this.policy.lag * TIME.MINUTE;
    return t >= opens && t < closes;
  }

  /** The e-mail the person's SALTO KS users carry: the member's, else a customer's. */
  emailOf(personId: string): string | null {
    const p = this.people.get(personId);
    return p?.email?.value ?? p?.customerEmail ?? null;
  }

  /** Rule 4 per record, then one user per e-mail per site: the union over every record with it. */
  expected(t: number): Expected {
    const out: Expected = new Map();
    for (const site of this.siteGroups.keys()) out.set(site, new Map());
    for (const personId of this.people.keys()) {
      const email = this.emailOf(personId)?.toLowerCase();
      if (!email) continue;
      const groups = this.groupsOf(personId, t);
      for (const [site, bySite] of out) {
        const held = bySite.get(email);
        if (held === 'skip') continue;
        if (groups === 'skip') {
          bySite.set(email, 'skip');
          continue;
        }
        const existing = this.siteGroups.get(site)!;
        const mine = [...(groups.get(site) ?? [])].filter((g) => existing.has(g));
        bySite.set(email, [...new Set([...(held ?? []), ...mine])].sort());
      }
    }
    return out;
  }

  /** What is going on at t, for the coverage counts (never for the expectations). */
  coverage(t: number): string[] {
    const seen = new Set<string>();
    const owners = new Map<string, number>();
    for (const [id, p] of this.people) {
      const groups = this.groupsOf(id, t);
      if (groups === 'skip') {
        seen.add('undecided (master without status)');
        continue;
      }
      const own = new Map<string, Set<string>>();
      this.planGroups(p, t, own);
      if (own.size > 0) seen.add('a plan gives access');
      const all = new Map<string, Set<string>>();
      this.planGroups({ ...p, status: undefined }, t, all);
      if (p.deletedAt === undefined && all.size > 0 && own.size === 0)
        seen.add('an inactive member with a running plan');
      if (p.master?.value && groups.size > own.size) seen.add('a co-member inherits');
      const key = this.emailOf(id)?.toLowerCase();
      if (key && groups.size > 0) owners.set(key, (owners.get(key) ?? 0) + 1);
    }
    if ([...owners.values()].some((n) => n > 1)) seen.add('two records with access share an e-mail');
    for (const r of this.reservations.values()) {
      const s = r.snapshot;
      if (!s) continue;
      const inWindow =
        t >= stamp(s.start) - this.policy.lead * TIME.MINUTE &&
        t < stamp(s.end) + this.policy.lag * TIME.MINUTE;
      if (!inWindow) continue;
      if (this.cancelled(r)) seen.add('a cancelled reservation in its window');
      else if (!r.alive) seen.add('a reservation that ended before it arrived');
      else if (r.frozenEnd !== null && t >= r.frozenEnd) seen.add('a window closed before a lag change');
      else if (t < stamp(s.start) || t >= stamp(s.end)) seen.add('a reservation in its lead or lag');
      else seen.add('a reservation running');
    }
    return [...seen];
  }

  /** Whether a record with this e-mail is entitled to a group that was deleted on the site. */
  wantsDeletedGroup(siteId: string, email: string, t: number): boolean {
    const existing = this.siteGroups.get(siteId) ?? new Set<string>();
    for (const personId of this.people.keys()) {
      if (this.emailOf(personId)?.toLowerCase() !== email) continue;
      const groups = this.groupsOf(personId, t);
      if (groups !== 'skip' && [...(groups.get(siteId) ?? [])].some((g) => !existing.has(g))) return true;
    }
    return false;
  }

  /** Instants at which the answer can change by itself (billing midnights, window edges). */
  edges(): number[] {
    const out: number[] = [];
    for (const p of this.people.values()) {
      for (const { value: b } of p.billings.values()) {
        const center = this.centers.get(b.centerId);
        if (!center) continue;
        out.push(startOfDay(b.startDate, center.timeZone));
        if (b.endDate !== null) out.push(startOfDay(addDays(b.endDate, 1), center.timeZone));
      }
    }
    for (const r of this.reservations.values()) {
      const s = r.snapshot;
      if (!s) continue;
      out.push(stamp(s.start) - this.policy.lead * TIME.MINUTE, stamp(s.end) + this.policy.lag * TIME.MINUTE);
    }
    return out;
  }
}

type Why = (reason: string, site: string, groups: readonly string[]) => void;

function add(into: Map<string, Set<string>>, site: string, groups: readonly string[]): void {
  let set = into.get(site);
  if (!set) {
    set = new Set();
    into.set(site, set);
  }
  for (const g of groups) set.add(g);
}
