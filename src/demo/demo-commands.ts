// The demo:events commands as data: each command's arguments, help line, and the Deskworks event
// it builds. Pure apart from the clock and random ids; demo-cli.ts parses, demo-events-main.ts sends.
import type { DeskworksEvent } from '../api/deskworks-events';
import { localDateAt } from '../core/dates';
import {
  centerArgument,
  CliUsageError,
  dateArgument,
  emailArgument,
  idArgument,
  minutesArgument,
  nameArgument,
  randomSuffix,
} from './cli-values';
import { DEMO_CENTER_BERLIN, DEMO_CENTERS, DEMO_PRODUCT_HOT_DESK, DEMO_RESERVATION_UNITS } from './demo-data';
import {
  billing,
  billingChanged,
  comemberAdded,
  comemberRemoved,
  memberCreated,
  memberSnapshot,
  memberStatusChanged,
  reservationCancelled,
  reservationCreated,
  reservationSnapshot,
} from './event-builders';

export type Values = Record<string, string | boolean | undefined>;

/** What a command asks for: one event to send, or a person's status to read. */
export type CommandResult = { event: DeskworksEvent; describe: string } | { personId: string };

export interface CommandSpec {
  /** Positional arguments, in order, all required. */
  positionals: string[];
  options: Record<string, 'string' | 'boolean'>;
  usage: string;
  summary: string;
  build(positionals: string[], values: Values, nowMs: number): CommandResult;
}

const MINUTE_MS = 60_000;

export const text = (values: Values, key: string): string | undefined => {
  const value = values[key];
  return typeof value === 'string' ? value : undefined;
};

function today(centerId: string, nowMs: number): string {
  const zone = DEMO_CENTERS.find((c) => c.id === centerId)?.timeZone ?? 'UTC';
  return localDateAt(nowMs, zone);
}

function billingDates(
  values: Values,
  centerId: string,
  nowMs: number,
): { startDate: string; endDate: string | null } {
  const startDate = dateArgument('--start-date', text(values, 'start-date') ?? today(centerId, nowMs));
  const end = text(values, 'end-date');
  const endDate = end === undefined ? null : dateArgument('--end-date', end);
  if (endDate !== null && endDate < startDate) {
    throw new CliUsageError(
      `--end-date ${endDate} is before --start-date ${startDate} (the end date is the last day, inclusive)`,
    );
  }
  return { startDate, endDate };
}

function personName(
  values: Values,
  fallbackFirst: string,
  fallbackLast: string,
): { firstName: string; lastName: string } {
  return {
    firstName: nameArgument('--first-name', text(values, 'first-name') ?? fallbackFirst),
    lastName: nameArgument('--last-name', text(values, 'last-name') ?? fallbackLast),
  };
}

function memberStatusCommand(
  type: 'member.activated' | 'member.deactivated' | 'member.deleted',
): CommandSpec {
  return {
    positionals: ['MEMBER_ID'],
    options: {},
    usage: 'MEMBER_ID',
    summary: `sends ${type}`,
    build: ([memberId]) => ({
      event: memberStatusChanged(idArgument('MEMBER_ID', memberId ?? ''), type),
      describe: `member ${memberId} (${type})`,
    }),
  };
}

export const COMMANDS: Record<string, CommandSpec> = {
  'member-created': {
    positionals: [],
    options: {
      id: 'string',
      email: 'string',
      'first-name': 'string',
      'last-name': 'string',
      center: 'string',
      product: 'string',
      'start-date': 'string',
      'end-date': 'string',
    },
    usage:
      '[--email EMAIL] [--id ID] [--first-name NAME] [--last-name NAME] [--center CENTER] [--product PRODUCT] [--start-date DATE] [--end-date DATE]',
    summary: 'a new active member with one billing (default: Hot desk in Berlin from today, open-ended)',
    build(_positionals, values, nowMs) {
      const id = idArgument('--id', text(values, 'id') ?? `m-${randomSuffix()}`);
      const email = emailArgument('--email', text(values, 'email') ?? `${id}@example.com`);
      const centerId = centerArgument(text(values, 'center') ?? DEMO_CENTER_BERLIN);
      const productId = idArgument('--product', text(values, 'product') ?? DEMO_PRODUCT_HOT_DESK);
      const dates = billingDates(values, centerId, nowMs);
      const member = memberSnapshot({
        id,
        centerId,
        email,
        ...personName(values, 'Demo', id),
        recurringBillings: [billing({ id: `b-${id}-1`, productId, centerId, ...dates })],
      });
      return {
        event: memberCreated(member),
        describe: `member ${id}, billing b-${id}-1: ${productId} at ${centerId} from ${dates.startDate}${dates.endDate ? ` to ${dates.endDate}` : ''}`,
      };
    },
  },
  billing: {
    positionals: ['MEMBER_ID'],
    options: {
      product: 'string',
      center: 'string',
      'billing-id': 'string',
      'start-date': 'string',
      'end-date': 'string',
      update: 'boolean',
      cancel: 'boolean',
    },
    usage:
      'MEMBER_ID [--product PRODUCT] [--center CENTER] [--billing-id ID] [--start-date DATE] [--end-date DATE] [--update | --cancel]',
    summary: 'billing.created (or billing.updated with --update, billing.cancelled with --cancel)',
    build([memberId], values, nowMs) {
      const member = idArgument('MEMBER_ID', memberId ?? '');
      if (values.update === true && values.cancel === true)
        throw new CliUsageError('give --update or --cancel, not both');
      const centerId = centerArgument(text(values, 'center') ?? DEMO_CENTER_BERLIN);
      const productId = idArgument('--product', text(values, 'product') ?? DEMO_PRODUCT_HOT_DESK);
      const billingId = idArgument(
        '--billing-id',
        text(values, 'billing-id') ?? `b-${member}-${randomSuffix()}`,
      );
      const type =
        values.cancel === true
          ? 'billing.cancelled'
          : values.update === true
            ? 'billing.updated'
            : 'billing.created';
      const recurring = billing({
        id: billingId,
        productId,
        centerId,
        ...billingDates(values, centerId, nowMs),
      });
      if (type === 'billing.cancelled') recurring.status = 'cancelled';
      return {
        event: billingChanged(member, type, recurring),
        describe: `billing ${billingId} of ${member}: ${productId} at ${centerId} (${type})`,
      };
    },
  },
  activate: memberStatusCommand('member.activated'),
  deactivate: memberStatusCommand('member.deactivated'),
  delete: memberStatusCommand('member.deleted'),
  'comember-added': {
    positionals: ['MASTER_ID'],
    options: {
      id: 'string',
      email: 'string',
      'first-name': 'string',
      'last-name': 'string',
      center: 'string',
    },
    usage: 'MASTER_ID [--email EMAIL] [--id ID] [--first-name NAME] [--last-name NAME] [--center CENTER]',
    summary: "a new co-member of MASTER_ID (inherits the master's plan groups)",
    build([masterId], values) {
      const master = idArgument('MASTER_ID', masterId ?? '');
      const id = idArgument('--id', text(values, 'id') ?? `m-${randomSuffix()}`);
      const email = emailArgument('--email', text(values, 'email') ?? `${id}@example.com`);
      const centerId = centerArgument(text(values, 'center') ?? DEMO_CENTER_BERLIN);
      const member = memberSnapshot({ id, centerId, email, ...personName(values, 'Co-member', id) });
      return { event: comemberAdded(master, member), describe: `co-member ${id} of ${master}` };
    },
  },
  'comember-removed': {
    positionals: ['MASTER_ID', 'MEMBER_ID'],
    options: {},
    usage: 'MASTER_ID MEMBER_ID',
    summary: 'MEMBER_ID is no longer a co-member of MASTER_ID',
    build([masterId, memberId]) {
      const master = idArgument('MASTER_ID', masterId ?? '');
      const member = idArgument('MEMBER_ID', memberId ?? '');
      return {
        event: comemberRemoved(master, member),
        describe: `co-member ${member} removed from ${master}`,
      };
    },
  },
  reservation: {
    positionals: [],
    options: {
      id: 'string',
      'customer-id': 'string',
      email: 'string',
      member: 'boolean',
      unit: 'string',
      center: 'string',
      'in-minutes': 'string',
      'for-minutes': 'string',
      'first-name': 'string',
      'last-name': 'string',
    },
    usage:
      '[--in-minutes N] [--for-minutes N] [--unit UNIT] [--center CENTER] [--customer-id ID] [--email EMAIL] [--member] [--id ID]',
    summary:
      'reservation.created starting N minutes from now (default 20, negative: already running) for 60 minutes; a non-member unless --member',
    build(_positionals, values, nowMs) {
      const centerId = centerArgument(text(values, 'center') ?? DEMO_CENTER_BERLIN);
      const defaultUnit = DEMO_RESERVATION_UNITS.find((u) => u.centerId === centerId)?.id;
      const unitText = text(values, 'unit') ?? defaultUnit;
      if (unitText === undefined)
        throw new CliUsageError(`--unit is needed for center ${centerId} (the demo has no unit there)`);
      const unitId = idArgument('--unit', unitText);
      const inMinutes = minutesArgument('--in-minutes', text(values, 'in-minutes') ?? '20', -24 * 60);
      const forMinutes = minutesArgument('--for-minutes', text(values, 'for-minutes') ?? '60', 1);
      const isMember = values.member === true;
      if (isMember && text(values, 'customer-id') === undefined)
        throw new CliUsageError('--member needs --customer-id (the member id)');
      const customerId = idArgument('--customer-id', text(values, 'customer-id') ?? `nm-${randomSuffix()}`);
      const email = emailArgument('--email', text(values, 'email') ?? `${customerId}@example.com`);
      const id = idArgument('--id', text(values, 'id') ?? `r-${randomSuffix()}`);
      const startMs = nowMs + inMinutes * MINUTE_MS;
      const reservation = reservationSnapshot({
        id,
        reservationUnitId: unitId,
        centerId,
        startMs,
        endMs: startMs + forMinutes * MINUTE_MS,
        customer: {
          type: isMember ? 'member' : 'nonmember',
          id: customerId,
          email,
          ...personName(values, 'Guest', customerId),
        },
      });
      return {
        event: reservationCreated(reservation),
        describe: `reservation ${id} of ${unitId} at ${centerId} for ${isMember ? 'member' : 'non-member'} ${customerId}: ${reservation.start} to ${reservation.end}`,
      };
    },
  },
  'cancel-reservation': {
    positionals: ['RESERVATION_ID'],
    options: {},
    usage: 'RESERVATION_ID',
    summary: 'reservation.cancelled: access goes at once',
    build([reservationId]) {
      const id = idArgument('RESERVATION_ID', reservationId ?? '');
      return { event: reservationCancelled(id), describe: `reservation ${id} cancelled` };
    },
  },
  status: {
    positionals: ['PERSON_ID'],
    options: {},
    usage: 'PERSON_ID',
    summary:
      'what the integration holds for a person (GET /api/people/:id/access): desired and applied groups',
    build: ([personId]) => ({ personId: idArgument('PERSON_ID', personId ?? '') }),
  },
};
