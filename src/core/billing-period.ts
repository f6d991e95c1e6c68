// When a recurring billing gives access, as instants: billing dates are calendar days in the
// center's zone, so access runs from the first instant of startDate to the first instant of the
// day after endDate (rule 1: "from 00:00 of startDate", "after 23:59:59 of endDate").
import { addDays, isLocalDate, startOfLocalDay } from './dates';
import type { Billing } from './types';

export interface BillingPeriod {
  startMs: number;
  /** Exclusive; null while the billing is open-ended. */
  endMs: number | null;
}

/** Null when the billing can never give access: malformed dates, or an end before its start. */
export function billingPeriod(billing: Billing, timeZone: string): BillingPeriod | null {
  if (!isLocalDate(billing.startDate)) return null;
  if (billing.endDate === null) return { startMs: startOfLocalDay(billing.startDate, timeZone), endMs: null };
  if (!isLocalDate(billing.endDate) || billing.endDate < billing.startDate) return null;
  return {
    startMs: startOfLocalDay(billing.startDate, timeZone),
    endMs: startOfLocalDay(addDays(billing.endDate, 1), timeZone),
  };
}

/** Same as "[startDate, endDate] contains today's date in the zone", but as instants, so it agrees with nextChangeAt. */
export function periodContains(period: BillingPeriod, nowMs: number): boolean {
  return period.startMs <= nowMs && (period.endMs === null || nowMs < period.endMs);
}
