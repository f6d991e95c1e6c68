// The Deskworks webhook contract (../shared/contracts/deskworks-events.md, beside this repository) as zod schemas.
// Everything the API hands to Temporal has passed through here, so workflows can trust
// dates, instants and ids. Unknown extra fields are stripped: Deskworks may add fields.
import { reservedIdProblem } from '../core/reserved-ids';
import { z } from 'zod';
import type { ReservationSnapshot } from '../core/reservation-snapshot';

const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
// Date and time, optional seconds and fraction, then a mandatory offset (Z, ±hh:mm or ±hhmm).
const INSTANT_WITH_OFFSET =
  /^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?(Z|[+-]([01]\d|2[0-3]):?[0-5]\d)$/;

function isRealCalendarDate(yyyyMmDd: string): boolean {
  const match = LOCAL_DATE.exec(yyyyMmDd);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (month < 1 || month > 12 || day < 1) return false;
  const isLeapYear = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const daysInMonth = [31, isLeapYear ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
  return day <= daysInMonth;
}

// Date.parse alone is not enough: V8 rolls 2026-02-30 over to March 2 instead of failing.
function isInstantWithOffset(value: string): boolean {
  const match = INSTANT_WITH_OFFSET.exec(value);
  return match !== null && isRealCalendarDate(match[1] ?? '') && Number.isFinite(Date.parse(value));
}

function isIanaTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat(undefined, { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** The longest id the contract allows, in characters (Unicode code points). */
export const ID_MAX_CHARACTERS = 200;

// A high surrogate not followed by a low one, or a low one not preceded by a high one: a string
// holding one has no UTF-8 encoding, so Temporal (gRPC, protobuf) cannot carry it.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True when the string is valid Unicode (no lone UTF-16 surrogate), i.e. encodable as UTF-8. */
export function isWellFormedUnicode(value: string): boolean {
  return !LONE_SURROGATE.test(value);
}

/** Characters as Unicode code points: an emoji is one, though JavaScript's `length` says two. */
export function codePointLength(value: string): number {
  let count = 0;
  for (const _ of value) count++;
  return count;
}

const NOT_UNICODE =
  'must be valid Unicode: it holds a lone UTF-16 surrogate (e.g. \\ud800), which no UTF-8 text can carry';

/** Why a string breaks the id rule, or null when it is a valid id. */
export function idProblem(id: string): string | null {
  if (id.length === 0) return 'must not be empty';
  if (!isWellFormedUnicode(id)) return NOT_UNICODE;
  const characters = codePointLength(id);
  const reserved = reservedIdProblem(id);
  if (reserved !== null) return reserved;
  if (characters > ID_MAX_CHARACTERS) {
    return `must be at most ${ID_MAX_CHARACTERS} characters (Unicode code points; an emoji counts as one), got ${characters}`;
  }
  return null;
}

/**
 * The id rule of the contract: 1–200 characters (Unicode code points) of valid Unicode. Counted in
 * code points, an id is at most 200 × 4 = 800 UTF-8 bytes, so `reservation-`/`person-` + id stays
 * under Temporal's 1000-byte workflow id limit (see src/shared/ids.ts).
 */
export const deskworksId = z.string().superRefine((id, ctx) => {
  const problem = idProblem(id);
  if (problem !== null) ctx.addIssue({ code: z.ZodIssueCode.custom, message: problem });
});

/** Free text (names, e-mails, phone): any string that is valid Unicode. */
const text = z.string().refine(isWellFormedUnicode, NOT_UNICODE);
const entityId = deskworksId;
const personName = text;
// Unicode first, so a lone surrogate is reported as such rather than as a bad e-mail.
const email = text.pipe(z.string().email('must be a valid e-mail address'));
const localDate = z
  .string()
  .refine(isRealCalendarDate, 'must be a real calendar date written YYYY-MM-DD, e.g. 2026-11-28');
const instant = z
  .string()
  .refine(isInstantWithOffset, 'must be an ISO 8601 date-time with an offset, e.g. 2026-11-28T14:03:11Z');

// An endDate before startDate matches the types: the contract accepts the body, and the engine
// treats that billing as granting nothing (a warning on the person) while the rest applies.
export const recurringBillingSchema = z.object({
  id: entityId,
  productId: entityId,
  centerId: entityId,
  startDate: localDate,
  endDate: localDate.nullable(),
  status: z.enum(['active', 'cancelled']),
});

export const memberSchema = z.object({
  id: entityId,
  centerId: entityId,
  firstName: personName,
  lastName: personName,
  email,
  phone: text.nullable().optional(),
  status: z.enum(['active', 'inactive']),
  masterMemberId: entityId.nullable(),
  recurringBillings: z.array(recurringBillingSchema),
  updatedAt: instant,
});

export const reservationCustomerSchema = z.object({
  type: z.enum(['member', 'nonmember']),
  id: entityId,
  firstName: personName,
  lastName: personName,
  email,
});

export const reservationSchema = z
  .object({
    id: entityId,
    reservationUnitId: entityId,
    centerId: entityId,
    start: instant,
    end: instant,
    status: z.enum(['confirmed', 'cancelled']),
    customer: reservationCustomerSchema,
    updatedAt: instant,
  })
  .superRefine((reservation, ctx) => {
    // Kept a 400: the contract writes `end > start` into the Reservation type itself, unlike a
    // billing's date order, so a reservation that ends before it starts does not match the types.
    // Compared as instants: the two may carry different offsets.
    if (Date.parse(reservation.end) <= Date.parse(reservation.start)) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['end'],
        message: `must be after start (${reservation.start})`,
      });
    }
  });

export const centerSchema = z.object({
  id: entityId,
  name: text,
  timeZone: z.string().refine(isIanaTimeZone, 'must be an IANA time zone, e.g. Europe/Paris'),
});

export const productSchema = z.object({ id: entityId, centerId: entityId, name: text });

export const reservationUnitSchema = z.object({ id: entityId, centerId: entityId, name: text });

const memberChangeSchema = z.object({ memberId: entityId, updatedAt: instant });

const comemberAddedSchema = z.object({ masterMemberId: entityId, member: memberSchema });

const comemberRemovedSchema = z.object({ masterMemberId: entityId, memberId: entityId, updatedAt: instant });

const billingChangeSchema = z.object({
  memberId: entityId,
  billing: recurringBillingSchema,
  updatedAt: instant,
});

const reservationCancelledSchema = z.object({ reservationId: entityId, updatedAt: instant });

const catalogItemDeletedSchema = z.object({ id: entityId });

const eventId = deskworksId;

/** One envelope per group of types that share a data shape; `type` is the discriminator. */
function eventOf<const Types extends readonly [string, ...string[]], Data extends z.ZodTypeAny>(
  types: Types,
  data: Data,
) {
  return z.object({ id: eventId, type: z.enum(types), occurredAt: instant, data });
}

const eventSchemas = [
  eventOf(['member.created', 'member.updated'], memberSchema),
  eventOf(['member.activated', 'member.deactivated', 'member.deleted'], memberChangeSchema),
  eventOf(['comember.added'], comemberAddedSchema),
  eventOf(['comember.removed'], comemberRemovedSchema),
  eventOf(['billing.created', 'billing.updated', 'billing.cancelled'], billingChangeSchema),
  eventOf(['reservation.created', 'reservation.updated'], reservationSchema),
  eventOf(['reservation.cancelled'], reservationCancelledSchema),
  eventOf(['center.updated'], centerSchema),
  eventOf(['product.updated'], productSchema),
  eventOf(['reservation_unit.updated'], reservationUnitSchema),
  eventOf(['product.deleted', 'reservation_unit.deleted'], catalogItemDeletedSchema),
] as const;

export const deskworksEventSchema = z.discriminatedUnion('type', [...eventSchemas]);

export const DESKWORKS_EVENT_TYPES = eventSchemas.flatMap((schema) => schema.shape.type.options);

export type DeskworksEvent = z.infer<typeof deskworksEventSchema>;
export type DeskworksEventType = DeskworksEvent['type'];
/** The event of one type, e.g. `DeskworksEventOf<'billing.cancelled'>`, with its data narrowed. */
export type DeskworksEventOf<T extends DeskworksEventType> = Extract<DeskworksEvent, { type: T }>;
export type MemberSnapshot = z.infer<typeof memberSchema>;
export type RecurringBilling = z.infer<typeof recurringBillingSchema>;
// One Reservation type for the whole project (src/core): the schema's output must be exactly it.
export type { ReservationSnapshot };
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const reservationSchemaMatchesCore: Same<z.infer<typeof reservationSchema>, ReservationSnapshot> = true;
void reservationSchemaMatchesCore;
export type ReservationCustomer = z.infer<typeof reservationCustomerSchema>;
export type CenterSnapshot = z.infer<typeof centerSchema>;
export type ProductSnapshot = z.infer<typeof productSchema>;
export type ReservationUnitSnapshot = z.infer<typeof reservationUnitSchema>;

export interface EventIssue {
  /** Dotted location in the event, e.g. `data.email` or `data.recurringBillings.0.endDate`. */
  path: string;
  message: string;
}

export type ParseDeskworksEventResult =
  { ok: true; event: DeskworksEvent } | { ok: false; issues: EventIssue[] };

const knownTypes: ReadonlySet<string> = new Set(DESKWORKS_EVENT_TYPES);

// Checked before the union, so a bad id or occurredAt is reported together with an unknown
// type, and the unknown type gets a message that names it (the contract: 400, never a drop).
const envelopeSchema = z.object({
  id: eventId,
  type: z.string().superRefine((type, ctx) => {
    if (!knownTypes.has(type)) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        message: `unknown event type "${type}"; known types: ${DESKWORKS_EVENT_TYPES.join(', ')}`,
      });
    }
  }),
  occurredAt: instant,
  data: z.unknown(),
});

function toEventIssues(error: z.ZodError): EventIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.length > 0 ? issue.path.join('.') : '(root)',
    message: issue.message,
  }));
}

/** Validates a parsed JSON body against the contract; issues name dotted paths for the 400 answer. */
export function parseDeskworksEvent(json: unknown): ParseDeskworksEventResult {
  const envelope = envelopeSchema.safeParse(json);
  if (!envelope.success) return { ok: false, issues: toEventIssues(envelope.error) };
  const event = deskworksEventSchema.safeParse(json);
  if (!event.success) return { ok: false, issues: toEventIssues(event.error) };
  return { ok: true, event: event.data };
}
