// The chaos run's stream of Deskworks events, in real time: members with plans at two centers,
// co-members, plans added, ended and cancelled, deactivations, reservations whose windows open and
// close during the run, moved to another time, room or center, or cancelled; duplicates and
// deliveries out of order. Seeded, so a run can be told again. What each event means for the
// doors is left to the independent model (test/model/model.ts); nothing here reads the engine.
import type { DeskworksEvent, MemberSnapshot, RecurringBilling } from '../../src/api/deskworks-events';

export interface ChaosCenter {
  id: string;
  timeZone: string;
  products: string[];
  units: string[];
}

/**
 * Every name the stream sends is made of these: names no code, id or log line holds otherwise, so
 * finding one anywhere in the product's logs or Temporal's database is a leak (personal-data-scan.ts).
 */
export const STREAM_FIRST_NAME = 'Zerelda';
export const STREAM_LAST_NAME = 'Quillonby';

/** A small deterministic generator (mulberry32): the same seed gives the same stream. */
export class Prng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

interface Member {
  id: string;
  email: string;
  centerId: string;
  created: boolean;
  status: 'active' | 'inactive';
  master: string | null;
  billings: Map<string, RecurringBilling>;
  comember: boolean;
}

interface Reservation {
  id: string;
  customer: { type: 'member' | 'nonmember'; id: string; email: string };
  centerId: string;
  unitId: string;
  start: number;
  end: number;
  cancelled: boolean;
}

/** An event ready to send; `kind` says what it stands for in the report. */
export interface StreamItem {
  event: DeskworksEvent;
  kind: string;
}

const MINUTE = 60_000;

/** The local calendar date at `ms` in a time zone (YYYY-MM-DD). */
function localDate(ms: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date(ms));
}

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export interface StreamOptions {
  seed: number;
  /** How many events the run sends: it sizes the population. */
  events: number;
  centers: ChaosCenter[];
  /** The e-mail domain of everyone in the run (the comparison looks at these only). */
  domain: string;
}

export class ChaosStream {
  readonly rng: Prng;
  private readonly members: Member[] = [];
  private readonly nonmembers: { id: string; email: string }[] = [];
  private readonly reservations: Reservation[] = [];
  private readonly sent: DeskworksEvent[] = [];
  private readonly heldBack: StreamItem[] = [];
  private eventNo = 0;
  private lastStamp = 0;
  private billingNo = 0;

  constructor(private readonly o: StreamOptions) {
    this.rng = new Prng(o.seed);
    const people = Math.max(20, Math.round(o.events / 25));
    for (let i = 0; i < people; i++) {
      const comember = i % 6 === 5;
      const id = `chaos-${o.seed}-m${i}`;
      this.members.push({
        id,
        email: `${id}@${o.domain}`,
        centerId: this.rng.pick(o.centers).id,
        created: false,
        status: 'active',
        master: null,
        billings: new Map(),
        comember,
      });
    }
    for (let i = 0; i < Math.max(5, Math.round(people / 3)); i++) {
      const id = `chaos-${o.seed}-g${i}`;
      this.nonmembers.push({ id, email: `${id}@${o.domain}` });
    }
  }

  /** Every e-mail the stream may use. */
  emails(): string[] {
    return [...this.members.map((m) => m.email), ...this.nonmembers.map((n) => n.email)];
  }

  /** The next event to send at `now`. */
  next(now: number): StreamItem {
    // Out of order: an event held back earlier goes now, after newer ones.
    if (this.heldBack.length > 0 && this.rng.chance(0.3)) return this.heldBack.shift()!;
    // Duplicates: Deskworks delivers at least once.
    if (this.sent.length > 0 && this.rng.chance(0.05)) {
      return { event: this.rng.pick(this.sent), kind: 'duplicate' };
    }
    const item = this.fresh(now);
    this.sent.push(item.event);
    if (this.sent.length > 2000) this.sent.splice(0, 500);
    // Held back: sent after the next few (its updatedAt older than theirs).
    if (this.rng.chance(0.04)) {
      this.heldBack.push({ event: item.event, kind: `${item.kind} (out of order)` });
      return this.fresh(now);
    }
    return item;
  }

  /** Whatever is still held back, for the end of the stream. */
  drain(): StreamItem[] {
    return this.heldBack.splice(0);
  }

  private fresh(now: number): StreamItem {
    const notCreated = this.members.filter((m) => !m.created && !m.comember);
    // The population arrives first, then changes to it.
    if (notCreated.length > 0 && (this.eventNo < this.members.length * 0.6 || this.rng.chance(0.1)))
      return this.createMember(notCreated[0]!, now);
    const r = this.rng.next();
    if (r < 0.3) return this.reservationCreated(now);
    if (r < 0.42) return this.reservationChanged(now);
    if (r < 0.6) return this.billingChange(now);
    if (r < 0.7) return this.comemberChange(now);
    if (r < 0.8) return this.statusChange(now);
    return this.memberUpdated(now);
  }

  private stamp(now: number): string {
    this.lastStamp = Math.max(this.lastStamp + 1, now);
    return new Date(this.lastStamp).toISOString();
  }

  private event(type: DeskworksEvent['type'], data: DeskworksEvent['data'], now: number): DeskworksEvent {
    return {
      id: `chaos-${this.o.seed}-e${++this.eventNo}`,
      type,
      occurredAt: new Date(now).toISOString(),
      data,
    } as DeskworksEvent;
  }

  private center(id: string): ChaosCenter {
    return this.o.centers.find((c) => c.id === id)!;
  }

  private snapshot(m: Member, now: number): MemberSnapshot {
    return {
      id: m.id,
      centerId: m.centerId,
      firstName: STREAM_FIRST_NAME,
      lastName: `${STREAM_LAST_NAME}-${m.id.slice(m.id.lastIndexOf('-') + 1)}`,
      email: m.email,
      phone: null,
      status: m.status,
      masterMemberId: m.master,
      recurringBillings: [...m.billings.values()].map((b) => ({ ...b })),
      updatedAt: this.stamp(now),
    };
  }

  /** A plan that gives access now, one that ended yesterday, or one that starts tomorrow. */
  private newBilling(m: Member, now: number): RecurringBilling {
    const center = this.center(m.centerId);
    const today = localDate(now, center.timeZone);
    const when = this.rng.next();
    const startDate = when < 0.8 ? addDays(today, -this.rng.int(60)) : addDays(today, 1);
    return {
      id: `${m.id}-b${++this.billingNo}`,
      productId: this.rng.pick(center.products),
      centerId: center.id,
      startDate,
      endDate: when < 0.6 ? null : when < 0.8 ? addDays(today, this.rng.int(30) + 1) : null,
      status: 'active',
    };
  }

  private createMember(m: Member, now: number): StreamItem {
    m.created = true;
    if (this.rng.chance(0.9)) {
      const b = this.newBilling(m, now);
      m.billings.set(b.id, b);
    }
    return { event: this.event('member.created', this.snapshot(m, now), now), kind: 'member.created' };
  }

  private createdMembers(): Member[] {
    return this.members.filter((m) => m.created);
  }

  private memberUpdated(now: number): StreamItem {
    const m = this.rng.pick(this.createdMembers());
    // A whole snapshot: a plan added or one dropped from the list.
    if (m.billings.size > 0 && this.rng.chance(0.4)) {
      m.billings.delete(this.rng.pick([...m.billings.keys()]));
    } else {
      const b = this.newBilling(m, now);
      m.billings.set(b.id, b);
    }
    return { event: this.event('member.updated', this.snapshot(m, now), now), kind: 'member.updated' };
  }

  private billingChange(now: number): StreamItem {
    const m = this.rng.pick(this.createdMembers());
    const existing = [...m.billings.values()];
    if (existing.length === 0 || this.rng.chance(0.35)) {
      const b = this.newBilling(m, now);
      m.billings.set(b.id, b);
      const data = { memberId: m.id, billing: b, updatedAt: this.stamp(now) };
      return { event: this.event('billing.created', data, now), kind: 'billing.created' };
    }
    const b = this.rng.pick(existing);
    if (this.rng.chance(0.5)) {
      const cancelled: RecurringBilling = { ...b, status: 'cancelled' };
      m.billings.set(b.id, cancelled);
      const data = { memberId: m.id, billing: cancelled, updatedAt: this.stamp(now) };
      return { event: this.event('billing.cancelled', data, now), kind: 'billing.cancelled' };
    }
    // Ended yesterday (access goes now), or running again with no end.
    const today = localDate(now, this.center(b.centerId).timeZone);
    const ended = b.endDate === null || b.endDate >= today;
    const updated: RecurringBilling = {
      ...b,
      status: 'active',
      startDate: b.startDate > addDays(today, -1) ? addDays(today, -1) : b.startDate,
      endDate: ended ? addDays(today, -1) : null,
    };
    m.billings.set(b.id, updated);
    const data = { memberId: m.id, billing: updated, updatedAt: this.stamp(now) };
    return {
      event: this.event('billing.updated', data, now),
      kind: ended ? 'billing ended' : 'billing renewed',
    };
  }

  private statusChange(now: number): StreamItem {
    const m = this.rng.pick(this.createdMembers());
    m.status = m.status === 'active' ? 'inactive' : 'active';
    const type = m.status === 'active' ? 'member.activated' : 'member.deactivated';
    return { event: this.event(type, { memberId: m.id, updatedAt: this.stamp(now) }, now), kind: type };
  }

  private comemberChange(now: number): StreamItem {
    const co = this.rng.pick(this.members.filter((m) => m.comember));
    const masters = this.createdMembers().filter((m) => !m.comember);
    if (co.master !== null && this.rng.chance(0.5)) {
      const masterMemberId = co.master;
      co.master = null;
      const data = { masterMemberId, memberId: co.id, updatedAt: this.stamp(now) };
      return { event: this.event('comember.removed', data, now), kind: 'comember.removed' };
    }
    const master = this.rng.pick(masters);
    co.master = master.id;
    co.created = true;
    co.centerId = master.centerId;
    const data = { masterMemberId: master.id, member: this.snapshot(co, now) };
    return { event: this.event('comember.added', data, now), kind: 'comember.added' };
  }

  private customer(): Reservation['customer'] {
    if (this.rng.chance(0.5)) {
      const n = this.rng.pick(this.nonmembers);
      return { type: 'nonmember', id: n.id, email: n.email };
    }
    const m = this.rng.pick(this.createdMembers());
    return { type: 'member', id: m.id, email: m.email };
  }

  private reservationEvent(
    r: Reservation,
    type: 'reservation.created' | 'reservation.updated',
    now: number,
  ): DeskworksEvent {
    return this.event(
      type,
      {
        id: r.id,
        reservationUnitId: r.unitId,
        centerId: r.centerId,
        start: new Date(r.start).toISOString(),
        end: new Date(r.end).toISOString(),
        status: 'confirmed',
        customer: { ...r.customer, firstName: STREAM_FIRST_NAME, lastName: `${STREAM_LAST_NAME}-guest` },
        updatedAt: this.stamp(now),
      },
      now,
    );
  }

  /**
   * Starts in 1 to 5 minutes and lasts 1 to 3, so its window (the run's lead and lag are a minute)
   * opens and closes during the run. It always arrives minutes before its end: one that ended
   * before it arrived depends on the instant the engine hears it, which a run cannot pin down.
   */
  private reservationCreated(now: number): StreamItem {
    const center = this.rng.pick(this.o.centers);
    const start = Math.ceil((now + (1 + this.rng.int(5)) * MINUTE) / 1000) * 1000;
    const r: Reservation = {
      id: `chaos-${this.o.seed}-r${this.reservations.length}`,
      customer: this.customer(),
      centerId: center.id,
      unitId: this.rng.pick(center.units),
      start,
      end: start + (1 + this.rng.int(3)) * MINUTE,
      cancelled: false,
    };
    this.reservations.push(r);
    return { event: this.reservationEvent(r, 'reservation.created', now), kind: 'reservation.created' };
  }

  private reservationChanged(now: number): StreamItem {
    // Only reservations still minutes from their end: see reservationCreated.
    const open = this.reservations.filter((r) => !r.cancelled && r.end > now + 3 * MINUTE);
    if (open.length === 0) return this.reservationCreated(now);
    const r = this.rng.pick(open);
    const what = this.rng.next();
    if (what < 0.3) {
      r.cancelled = true;
      const data = { reservationId: r.id, updatedAt: this.stamp(now) };
      return { event: this.event('reservation.cancelled', data, now), kind: 'reservation.cancelled' };
    }
    if (what < 0.6) {
      // Moved in time, possibly while its window is open.
      const shift = (this.rng.int(5) - 2) * MINUTE;
      const start = Math.max(r.start + shift, now + MINUTE);
      const length = r.end - r.start;
      r.start = start;
      r.end = Math.max(start + length, now + 3 * MINUTE + 1000);
      return {
        event: this.reservationEvent(r, 'reservation.updated', now),
        kind: 'reservation moved in time',
      };
    }
    // Moved to another room, maybe at another center.
    const center = this.rng.pick(this.o.centers);
    r.centerId = center.id;
    r.unitId = this.rng.pick(center.units);
    return {
      event: this.reservationEvent(r, 'reservation.updated', now),
      kind: 'reservation moved to a room',
    };
  }
}
