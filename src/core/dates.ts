// Calendar dates in IANA time zones, through Intl only: this runs inside Temporal's deterministic
// workflow sandbox, where Intl.DateTimeFormat with timeZone is available and no date library is.
// Time is always a parameter (epoch milliseconds); nothing here reads the clock.
import type { LocalDate } from './types';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** Every zone's UTC offset lies within ±16 h, so a day's first instant is within that of its UTC midnight. */
const MAX_OFFSET_MS = 16 * HOUR_MS;
const LOCAL_DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
/**
 * Intl writes years before 1 AD without an era sign, so stay where YYYY-MM-DD is unambiguous:
 * 0001-01-02T00:00Z to 9999-12-30T00:00Z, a day's margin keeping every zone's date in 0001–9999.
 */
const EARLIEST_SUPPORTED_MS = -62_135_596_800_000 + DAY_MS;
const LATEST_SUPPORTED_MS = Date.UTC(9999, 11, 30);

/**
 * Answers of pure functions, kept because a person's every decision asks them again with the same
 * few zones and dates (they were 8 % of the workflow thread's time in a chaos run's profile). Kept
 * for the process, and inside the workflow sandbox for the workflow (the SDK gives each workflow
 * its own copy of this module). Bounded: the names and dates asked come from operators and
 * events, and a map that is full is emptied, which costs only the next answers' work again.
 */
class Answers<V> {
  private readonly kept = new Map<string, V>();
  constructor(private readonly limit: number) {}

  of(key: string, compute: () => V): V {
    const known = this.kept.get(key);
    if (known !== undefined || this.kept.has(key)) return known as V;
    const answer = compute(); // one that throws is not kept
    if (this.kept.size >= this.limit) this.kept.clear();
    this.kept.set(key, answer);
    return answer;
  }
}

/**
 * Formatters are costly to build and carry no state: one per zone name as given, kept like the
 * answers above. Only names Intl knows get one, and the product asks with its centers' canonical
 * names, so the map stays as small as the set-up's zones.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      calendar: 'gregory',
      numberingSystem: 'latn',
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

const canonicalNames = new Answers<string | null>(256);
const firstInstants = new Answers<number>(4096);

/** The zone's canonical IANA name ("europe/berlin" → "Europe/Berlin"), or null when Intl does not know it. */
export function canonicalTimeZone(timeZone: string): string | null {
  if (typeof timeZone !== 'string' || timeZone === '') return null;
  return canonicalNames.of(timeZone, () => {
    try {
      return formatterFor(timeZone).resolvedOptions().timeZone;
    } catch {
      return null;
    }
  });
}

export function isValidTimeZone(timeZone: string): boolean {
  return canonicalTimeZone(timeZone) !== null;
}

interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

/** Epoch ms of 00:00 UTC on that date; setUTCFullYear keeps years 1–99 from meaning 1901–1999. */
function utcMidnightOf({ year, month, day }: CalendarDate): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  return d.getTime();
}

function formatCalendarDate({ year, month, day }: CalendarDate): LocalDate {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

function parseLocalDate(date: LocalDate): CalendarDate | null {
  const match = LOCAL_DATE_PATTERN.exec(date);
  if (!match) return null;
  const parsed = { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) };
  if (parsed.year < 1) return null;
  // Round-tripping through UTC rejects 2026-02-30 and friends.
  return formatCalendarDate(calendarDateOfUtc(utcMidnightOf(parsed))) === date ? parsed : null;
}

function calendarDateOfUtc(utcMs: number): CalendarDate {
  const d = new Date(utcMs);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

function requireLocalDate(date: LocalDate): CalendarDate {
  const parsed = parseLocalDate(date);
  if (!parsed) throw new RangeError(`Not a calendar date (YYYY-MM-DD): ${JSON.stringify(date)}`);
  return parsed;
}

function requireTimeZone(timeZone: string): void {
  if (!isValidTimeZone(timeZone)) throw new RangeError(`Not an IANA time zone: ${JSON.stringify(timeZone)}`);
}

/** A real date written YYYY-MM-DD (years 0001–9999). */
export function isLocalDate(s: unknown): s is LocalDate {
  return typeof s === 'string' && parseLocalDate(s) !== null;
}

interface WallClock extends CalendarDate {
  hour: number;
  minute: number;
  second: number;
}

/** What the zone's clocks show at that instant (to the second). */
function wallClockAt(instantMs: number, timeZone: string): WallClock {
  if (!Number.isFinite(instantMs) || instantMs < EARLIEST_SUPPORTED_MS || instantMs > LATEST_SUPPORTED_MS) {
    throw new RangeError(`Instant out of the supported range (years 1–9999): ${instantMs}`);
  }
  requireTimeZone(timeZone);
  const parts = formatterFor(timeZone).formatToParts(instantMs);
  const part = (type: Intl.DateTimeFormatPartTypes): number =>
    Number(parts.find((p) => p.type === type)?.value ?? NaN);
  return {
    year: part('year'),
    month: part('month'),
    day: part('day'),
    hour: part('hour'),
    minute: part('minute'),
    second: part('second'),
  };
}

/** The calendar date the clocks of that zone show at that instant. */
export function localDateAt(instantMs: number, timeZone: string): LocalDate {
  return formatCalendarDate(wallClockAt(instantMs, timeZone));
}

export function addDays(date: LocalDate, days: number): LocalDate {
  if (!Number.isInteger(days)) throw new RangeError(`Not a whole number of days: ${days}`);
  // Calendar arithmetic on UTC midnights: no zone, so no DST, is involved.
  return formatCalendarDate(calendarDateOfUtc(utcMidnightOf(requireLocalDate(date)) + days * DAY_MS));
}

/**
 * Epoch ms of the first instant of that calendar day in that zone: usually its 00:00; where 00:00
 * does not exist (clocks jump over midnight) the first instant that does, e.g. 01:00.
 * It is the instant from which the zone's clocks show that date or a later one.
 */
export function startOfLocalDay(date: LocalDate, timeZone: string): number {
  // The key cannot be forged from another pair: a date has no "|" (or it throws below, uncached).
  return firstInstants.of(`${date}|${timeZone}`, () => firstInstantOfLocalDay(date, timeZone));
}

function firstInstantOfLocalDay(date: LocalDate, timeZone: string): number {
  const midnightUtc = utcMidnightOf(requireLocalDate(date));
  requireTimeZone(timeZone);
  const reached = (instantMs: number): boolean => localDateAt(instantMs, timeZone) >= date;
  const isFirstInstant = (instantMs: number): boolean => reached(instantMs) && !reached(instantMs - 1);

  // Fast path: local 00:00 is UTC midnight minus the offset in force; try the offsets around that day.
  const candidates = [midnightUtc - DAY_MS, midnightUtc, midnightUtc + DAY_MS]
    .map((probe) => midnightUtc - offsetAt(probe, timeZone))
    .sort((a, b) => a - b);
  for (const candidate of candidates) if (isFirstInstant(candidate)) return candidate;

  // A transition away from midnight skipped it: search the instant the date is reached, to the ms.
  let before = midnightUtc - MAX_OFFSET_MS; // the clocks show an earlier date here
  let after = midnightUtc + MAX_OFFSET_MS; // and this date or a later one here
  while (after - before > 1) {
    const middle = before + Math.floor((after - before) / 2);
    if (reached(middle)) after = middle;
    else before = middle;
  }
  return after;
}

/** How far the zone's clocks are ahead of UTC at that instant, in ms. */
export function offsetAt(instantMs: number, timeZone: string): number {
  const wall = wallClockAt(instantMs, timeZone);
  const wallTimeMs = ((wall.hour * 60 + wall.minute) * 60 + wall.second) * 1000;
  const millis = ((instantMs % 1000) + 1000) % 1000;
  return utcMidnightOf(wall) + wallTimeMs + millis - instantMs;
}
