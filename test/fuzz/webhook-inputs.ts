// Hostile webhook requests for the fuzzer: a valid Deskworks event of any type (contract:
// deskworks-events.md), then at most one mutation, a content type and a signature. Each input
// says which answers the contract allows for it; none of them is a 5xx.
//
// Every id in a body is a fresh UUID (from fast-check's seeded generator), so no two bodies share
// a workflow: a workflow that exists but no accepted body routes to was started by a refused one.
import fc from 'fast-check';

export type SignatureKind =
  'valid' | 'wrong-secret' | 'stale' | 'future' | 'missing' | 'malformed' | 'rotated';

export interface WebhookInput {
  /** What was done to the body, for the report. */
  mutation: string;
  contentType: string | null;
  body: string;
  signature: SignatureKind;
  /** The answers the contract allows for this input. */
  allowed: number[];
}

const ACCEPTED = [202, 200];
export const BODY_LIMIT_BYTES = 256 * 1024;
const ID_MAX = 200;

// ---------------------------------------------------------------- valid events

const uuid = fc.uuid();
const instant = fc
  .integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 11, 31) })
  .map((ms) => new Date(ms).toISOString());
const localDate = fc
  .integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 11, 31) })
  .map((ms) => new Date(ms).toISOString().slice(0, 10));
const name = fc.constantFrom('Ada', 'Ben', 'Çağla', 'Zoë', 'Łukasz', '山田', 'O’Brien', 'Ana María');
const email = uuid.map((u) => `p-${u.slice(0, 8)}@example.com`);

const billing = fc.record({
  id: uuid,
  productId: uuid,
  centerId: uuid,
  startDate: localDate,
  endDate: fc.option(localDate, { nil: null }),
  status: fc.constantFrom('active', 'cancelled'),
});

const member = fc.record({
  id: uuid,
  centerId: uuid,
  firstName: name,
  lastName: name,
  email,
  phone: fc.option(fc.constant('+49 30 1234567'), { nil: null }),
  status: fc.constantFrom('active', 'inactive'),
  masterMemberId: fc.option(uuid, { nil: null }),
  recurringBillings: fc.array(billing, { maxLength: 3 }),
  updatedAt: instant,
});

const reservation = fc
  .record({
    id: uuid,
    reservationUnitId: uuid,
    centerId: uuid,
    startMs: fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 11, 31) }),
    minutes: fc.integer({ min: 15, max: 600 }),
    status: fc.constantFrom('confirmed', 'cancelled'),
    customer: fc.record({
      type: fc.constantFrom('member', 'nonmember'),
      id: uuid,
      firstName: name,
      lastName: name,
      email,
    }),
    updatedAt: instant,
  })
  .map(({ startMs, minutes, ...r }) => ({
    ...r,
    start: new Date(startMs).toISOString(),
    end: new Date(startMs + minutes * 60_000).toISOString(),
  }));

const statusChange = fc.record({ memberId: uuid, updatedAt: instant });

const data: Record<string, fc.Arbitrary<unknown>> = {
  'member.created': member,
  'member.updated': member,
  'member.activated': statusChange,
  'member.deactivated': statusChange,
  'member.deleted': statusChange,
  'comember.added': fc
    .record({ masterMemberId: uuid, member })
    .map((d) => ({ ...d, member: { ...d.member, masterMemberId: d.masterMemberId } })),
  'comember.removed': fc.record({ masterMemberId: uuid, memberId: uuid, updatedAt: instant }),
  'billing.created': fc.record({ memberId: uuid, billing, updatedAt: instant }),
  'billing.updated': fc.record({ memberId: uuid, billing, updatedAt: instant }),
  'billing.cancelled': fc.record({ memberId: uuid, billing, updatedAt: instant }),
  'reservation.created': reservation,
  'reservation.updated': reservation,
  'reservation.cancelled': fc.record({ reservationId: uuid, updatedAt: instant }),
  'center.updated': fc.record({
    id: uuid,
    name,
    timeZone: fc.constantFrom('Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'UTC'),
  }),
  'product.updated': fc.record({ id: uuid, centerId: uuid, name }),
  'reservation_unit.updated': fc.record({ id: uuid, centerId: uuid, name }),
  'product.deleted': fc.record({ id: uuid }),
  'reservation_unit.deleted': fc.record({ id: uuid }),
};

export const EVENT_TYPES = Object.keys(data);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export const validEvent: fc.Arbitrary<JsonObject> = fc.constantFrom(...EVENT_TYPES).chain((type) =>
  fc.record({
    id: uuid.map((u) => `evt_${u}`),
    type: fc.constant(type),
    occurredAt: instant,
    data: data[type]!,
  }),
) as fc.Arbitrary<JsonObject>;

// ---------------------------------------------------------------- where to mutate

interface Slot {
  parent: JsonObject | Json[];
  key: string | number;
  path: string;
}

/** Every place in the event that holds a value, with its path. */
function slots(value: Json, path = '', out: Slot[] = []): Slot[] {
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      out.push({ parent: value, key: i, path: `${path}[${i}]` });
      slots(v, `${path}[${i}]`, out);
    });
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      out.push({ parent: value, key: k, path: path ? `${path}.${k}` : k });
      slots(v, path ? `${path}.${k}` : k, out);
    }
  }
  return out;
}

const jsonType = (v: Json): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
const OPTIONAL = new Set(['phone']);
const DATE_KEYS = new Set(['startDate', 'endDate', 'updatedAt', 'occurredAt', 'start', 'end']);
const ID_KEYS = /^(id|.*Id)$/;
const keyOf = (s: Slot): string => String(s.key);
const clone = (event: JsonObject): JsonObject => JSON.parse(JSON.stringify(event)) as JsonObject;
const setAt = (s: Slot, value: Json): void => {
  (s.parent as Record<string | number, Json>)[s.key] = value;
};

interface Mutated {
  mutation: string;
  body: string;
  allowed: number[];
}

const asBody = (mutation: string, event: Json, allowed: number[]): Mutated => ({
  mutation,
  body: JSON.stringify(event),
  allowed,
});

const oddStrings = fc.constantFrom(
  '\u200b\u200d', // zero-width space and joiner
  '\u202eevil\u202c', // right-to-left override
  'e\u0301\u0301\u0301', // stacked combining marks
  '👩‍👩‍👧‍👦🏳️‍🌈',
  '\u0000nul',
  '\ufeffbom',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
  '<script>alert(1)</script>',
  "'; DROP TABLE people; --",
  '%s%n%x',
  '../../etc/passwd',
);
const loneSurrogates = fc.constantFrom('\ud800', 'abc\udfff', '\udbff\udbffx');
const impossibleDates = fc.constantFrom(
  '2026-02-30',
  '2026-13-01',
  '2026-00-10',
  '2026-11-28T25:00:00Z',
  '2026-11-28T14:61:00Z',
  '2026-11-28T14:03:11',
  '28/11/2026',
  'yesterday',
  '',
  '+275760-09-14T00:00:00.001Z',
);
const wrongTypes: fc.Arbitrary<Json> = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant([] as Json[]),
  fc.constant({}),
  fc.constant([1, 'two', null] as Json[]),
);
const prototypeKeys = fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty');

/** One mutation of a valid event, with the answers it may get. */
function mutation(event: JsonObject): fc.Arbitrary<Mutated> {
  const all = slots(event);
  const stringSlots = all.filter(
    (s) => typeof (s.parent as Record<string, Json>)[s.key as string] === 'string',
  );
  const idSlots = stringSlots.filter((s) => ID_KEYS.test(keyOf(s)));
  const dateSlots = stringSlots.filter((s) => DATE_KEYS.has(keyOf(s)));
  const objectSlots: Slot[] = [
    { parent: [event], key: 0, path: '' },
    ...all.filter((s) => {
      const v = (s.parent as Record<string, Json>)[s.key as string];
      return v !== null && typeof v === 'object' && !Array.isArray(v);
    }),
  ];
  const nameSlots = stringSlots.filter((s) => /Name$|^name$/.test(keyOf(s)));
  const requiredSlots = all.filter((s) => typeof s.key === 'string' && !OPTIONAL.has(s.key));
  const pick = <T>(list: T[]): fc.Arbitrary<T> =>
    fc.integer({ min: 0, max: list.length - 1 }).map((i) => list[i]!);

  const options: fc.Arbitrary<Mutated>[] = [
    fc.constant(asBody('none', event, ACCEPTED)),
    fc
      .constant(null)
      .map(() => asBody('unknown type', { ...event, type: `${event.type as string}.exploded` }, [400])),
    pick(requiredSlots).map((s) => {
      const copy = clone(event);
      const target = slots(copy).find((t) => t.path === s.path)!;
      delete (target.parent as Record<string, Json>)[target.key as string];
      return asBody(`missing ${s.path}`, copy, [400]);
    }),
    fc.tuple(pick(all), wrongTypes).map(([s, value]) => {
      const copy = clone(event);
      const target = slots(copy).find((t) => t.path === s.path)!;
      const before = (target.parent as Record<string | number, Json>)[target.key]!;
      setAt(target, value);
      // Another JSON type than the contract's is refused; the same type (an empty array for an
      // array) may still be valid.
      return asBody(
        `wrong type at ${s.path}`,
        copy,
        jsonType(before) === jsonType(value) ? [...ACCEPTED, 400] : [400],
      );
    }),
    fc
      .tuple(pick(objectSlots), fc.oneof(prototypeKeys, fc.string({ maxLength: 20 })), wrongTypes)
      .map(([s, key, value]) => {
        const copy = clone(event);
        const target =
          s.path === ''
            ? copy
            : ((slots(copy).find((t) => t.path === s.path)!.parent as JsonObject)[s.key] as JsonObject);
        // Built from text so that "__proto__" becomes an own key, as JSON.parse makes it.
        const body = JSON.stringify(copy);
        const inner = JSON.stringify(target);
        const extra = `${JSON.stringify(key)}:${JSON.stringify(value)}`;
        const withExtra = inner === '{}' ? `{${extra}}` : `{${extra},${inner.slice(1)}`;
        const index = body.lastIndexOf(inner);
        const mutated = body.slice(0, index) + withExtra + body.slice(index + inner.length);
        // Extra fields are welcome (the contract lets the types grow); a key named after a prototype
        // property must be ignored as well, or refused, never obeyed.
        return {
          mutation: `extra field ${JSON.stringify(key)} in ${s.path || 'the envelope'}`,
          body: mutated,
          allowed: [...ACCEPTED, 400],
        };
      }),
    fc.tuple(pick(stringSlots), oddStrings).map(([s, odd]) => {
      const copy = clone(event);
      setAt(
        slots(copy).find((t) => t.path === s.path)!,
        odd,
      );
      return asBody(`odd unicode at ${s.path}`, copy, [...ACCEPTED, 400]);
    }),
    fc.tuple(pick(stringSlots), loneSurrogates).map(([s, odd]) => {
      const copy = clone(event);
      setAt(
        slots(copy).find((t) => t.path === s.path)!,
        odd,
      );
      // The type field is checked against the list first; anything else must be valid Unicode.
      return asBody(`lone surrogate at ${s.path}`, copy, [400]);
    }),
    fc.tuple(pick(dateSlots), impossibleDates).map(([s, bad]) => {
      const copy = clone(event);
      setAt(
        slots(copy).find((t) => t.path === s.path)!,
        bad,
      );
      return asBody(`impossible date ${JSON.stringify(bad)} at ${s.path}`, copy, [400]);
    }),
    fc
      .tuple(pick(idSlots), fc.constantFrom(ID_MAX, ID_MAX + 1, 0), fc.boolean())
      .map(([s, length, emoji]) => {
        const copy = clone(event);
        const target = slots(copy).find((t) => t.path === s.path)!;
        const base = (target.parent as Record<string | number, Json>)[target.key] as string;
        // Unique to this body (it starts with its UUID), counted in code points: an emoji is one.
        const filler = emoji ? '🚪' : 'x';
        const value = length === 0 ? '' : base + filler.repeat(Math.max(0, length - [...base].length));
        setAt(target, value);
        return asBody(`id of ${length} characters at ${s.path}`, copy, length === ID_MAX ? ACCEPTED : [400]);
      }),
    // Names (an event without one, e.g. member.deleted, gets the huge string in its id instead).
    fc
      .tuple(pick(nameSlots.length > 0 ? nameSlots : idSlots), fc.constantFrom(10_000, 100_000, 300_000))
      .map(([s, size]) => {
        const copy = clone(event);
        setAt(
          slots(copy).find((t) => t.path === s.path)!,
          'Ö'.repeat(size),
        );
        const body = JSON.stringify(copy);
        const tooLarge = Buffer.byteLength(body) > BODY_LIMIT_BYTES;
        return {
          mutation: `huge string (${size}) at ${s.path}`,
          body,
          allowed: tooLarge ? [413] : nameSlots.length > 0 ? [...ACCEPTED, 400] : [400],
        };
      }),
    fc.tuple(fc.constantFrom(100, 5_000, 100_000), fc.boolean()).map(([depth, asData]) => {
      const deep = '['.repeat(depth) + ']'.repeat(depth);
      const body = JSON.stringify({
        ...event,
        data: asData ? '§' : event.data,
        extra: asData ? 0 : '§',
      }).replace('"§"', deep);
      return {
        mutation: `${depth} nested arrays as ${asData ? 'data' : 'an extra field'}`,
        body,
        allowed: asData ? [400] : [...ACCEPTED, 400],
      };
    }),
    fc.double({ min: 0, max: 1, noNaN: true }).map((f) => {
      const body = JSON.stringify(event);
      const cut = Math.min(body.length - 1, Math.floor(f * body.length));
      return { mutation: `truncated at ${cut} of ${body.length}`, body: body.slice(0, cut), allowed: [400] };
    }),
    fc
      .oneof(
        fc.constant(''),
        fc.constant('null'),
        fc.constant('[]'),
        fc.constant('"event"'),
        fc.constant('42'),
        fc.constant('{"id":'),
        fc.constant('\u0000\u0001\u0002'),
        fc.string({ maxLength: 200 }),
        fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('latin1')),
      )
      .map((body) => ({ mutation: 'not an event', body, allowed: [400] })),
  ];
  return fc.oneof(...options);
}

const contentTypes = fc.oneof(
  { weight: 20, arbitrary: fc.constant('application/json') },
  { weight: 2, arbitrary: fc.constant('application/json; charset=utf-8') },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/xml',
      'application/jsonp',
      'text/json-ish',
    ),
  },
  { weight: 1, arbitrary: fc.constant(null) },
);

const signatures = fc.oneof(
  { weight: 20, arbitrary: fc.constant<SignatureKind>('valid') },
  { weight: 2, arbitrary: fc.constant<SignatureKind>('rotated') },
  {
    weight: 4,
    arbitrary: fc.constantFrom<SignatureKind>('wrong-secret', 'stale', 'future', 'missing', 'malformed'),
  },
);

/** The contract's order: content type (415), size (413), signature (401), then the body (400/202). */
function answersFor(contentType: string | null, signature: SignatureKind, body: Mutated): number[] {
  const json = contentType !== null && /^application\/json\s*(;|$)/.test(contentType);
  if (!json) return [415];
  if (Buffer.byteLength(body.body) > BODY_LIMIT_BYTES) return [413];
  if (signature !== 'valid' && signature !== 'rotated') return [401];
  return body.allowed;
}

export const webhookInput: fc.Arbitrary<WebhookInput> = fc
  .tuple(validEvent.chain(mutation), contentTypes, signatures)
  .map(([body, contentType, signature]) => ({
    mutation: body.mutation,
    contentType,
    body: body.body,
    signature,
    allowed: answersFor(contentType, signature, body),
  }));
