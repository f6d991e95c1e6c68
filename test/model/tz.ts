// Calendar dates in IANA time zones for the model, written with Intl only and independently of
// src/core/dates.ts: the model must not share code (or bugs) with the engine it checks.
//
// A billing date D at a center gives access from the first instant whose local date is D
// ("00:00 of D", or the first instant after it when a DST jump skips midnight) to the first
// instant of D + 1. Local dates never go backwards in the zones the model uses, so "the first
// instant whose local date is ≥ D" is a plain binary search.

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

interface Wall {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** What the clocks in the zone show at that instant. */
export function wallClock(ms: number, timeZone: string): Wall {
  const parts = formatter(timeZone).formatToParts(new Date(ms));
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value);
  return {
    year: get('year'),
    month: get('month'),
    day: get('day'),
    hour: get('hour'),
    minute: get('minute'),
    second: get('second'),
  };
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** YYYY-MM-DD as the zone's clocks show it at that instant. */
export function localDate(ms: number, timeZone: string): string {
  const w = wallClock(ms, timeZone);
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}`;
}

/** Minutes since local midnight (by the clock face) at that instant. */
export function localMinuteOfDay(ms: number, timeZone: string): number {
  const w = wallClock(ms, timeZone);
  return w.hour * 60 + w.minute;
}

/** Calendar arithmetic on dates (no zone involved). */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const t = new Date(Date.UTC(2000, 0, 1));
  t.setUTCFullYear(y, m - 1, d + days);
  return `${pad(t.getUTCFullYear(), 4)}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
}

const dayStarts = new Map<string, number>();

/** The first instant at which the zone's clocks show `date` (or a later date). */
export function startOfDay(date: string, timeZone: string): number {
  const key = `${timeZone} ${date}`;
  const cached = dayStarts.get(key);
  if (cached !== undefined) return cached;
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const utcMidnight = Date.UTC(y, m - 1, d);
  // Every offset lies within ±15 h: before lo the date is not reached yet, at hi it is.
  let lo = utcMidnight - 15 * HOUR;
  let hi = utcMidnight + 15 * HOUR;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (localDate(mid, timeZone) >= date) hi = mid;
    else lo = mid;
  }
  dayStarts.set(key, hi);
  return hi;
}

/** How far the zone's clocks are ahead of UTC at that instant (ms, whole seconds). */
export function utcOffset(ms: number, timeZone: string): number {
  const w = wallClock(ms, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/** The next instant after `fromMs` (within `withinDays`) at which the zone's offset changes, or null. */
export function nextOffsetChange(fromMs: number, timeZone: string, withinDays = 400): number | null {
  const step = 6 * HOUR;
  const first = utcOffset(fromMs, timeZone);
  for (let t = fromMs + step; t <= fromMs + withinDays * DAY; t += step) {
    if (utcOffset(t, timeZone) !== first) {
      let lo = t - step;
      let hi = t;
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (utcOffset(mid, timeZone) === first) lo = mid;
        else hi = mid;
      }
      return hi;
    }
  }
  return null;
}

export const TIME = { MINUTE, HOUR, DAY };
