// Calendar dates and local midnights in IANA zones, DST changes and odd zones included.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  addDays,
  canonicalTimeZone,
  isLocalDate,
  isValidTimeZone,
  localDateAt,
  offsetAt,
  startOfLocalDay,
} from '../../src/core/dates';
import { addDays as modelAddDays, startOfDay as modelStartOfDay } from '../model/tz';
import { iso, ms } from './fixtures';

const HOUR = 3_600_000;

describe('isValidTimeZone / canonicalTimeZone', () => {
  const cases: [string, string | null][] = [
    ['Europe/Berlin', 'Europe/Berlin'],
    ['America/New_York', 'America/New_York'],
    ['Asia/Tokyo', 'Asia/Tokyo'],
    ['UTC', 'UTC'],
    ['Etc/GMT+5', 'Etc/GMT+5'],
    ['europe/berlin', 'Europe/Berlin'],
    ['', null],
    ['Europe/Atlantis', null],
    [' Europe/Berlin', null],
    ['+01:00', null],
    ['CET ', null],
  ];
  for (const [zone, canonical] of cases) {
    it(`${JSON.stringify(zone)} → ${String(canonical)}`, () => {
      assert.equal(canonicalTimeZone(zone), canonical);
      assert.equal(isValidTimeZone(zone), canonical !== null);
    });
  }
  it('a non-string is not a zone', () => {
    assert.equal(isValidTimeZone(undefined as unknown as string), false);
    assert.equal(isValidTimeZone(42 as unknown as string), false);
  });
});

describe('isLocalDate', () => {
  const cases: [unknown, boolean][] = [
    ['2026-11-28', true],
    ['2024-02-29', true],
    ['2000-02-29', true],
    ['0001-01-01', true],
    ['9999-12-31', true],
    ['2026-02-29', false],
    ['1900-02-29', false],
    ['2026-04-31', false],
    ['2026-13-01', false],
    ['2026-00-10', false],
    ['2026-01-00', false],
    ['0000-01-01', false],
    ['2026-1-01', false],
    ['26-01-01', false],
    [' 2026-01-01', false],
    ['2026-01-01T00:00:00Z', false],
    ['', false],
    [null, false],
    [20260101, false],
  ];
  for (const [value, expected] of cases) {
    it(`${JSON.stringify(value)} → ${expected}`, () => assert.equal(isLocalDate(value), expected));
  }
});

describe('localDateAt', () => {
  const cases: [string, string, string][] = [
    // The same instant is a different date in New York and Tokyo.
    ['2026-06-15T02:00:00Z', 'America/New_York', '2026-06-14'],
    ['2026-06-15T02:00:00Z', 'Asia/Tokyo', '2026-06-15'],
    ['2026-06-15T02:00:00Z', 'UTC', '2026-06-15'],
    ['2026-06-14T14:59:59.999Z', 'Asia/Tokyo', '2026-06-14'],
    ['2026-06-14T15:00:00Z', 'Asia/Tokyo', '2026-06-15'],
    ['2026-01-15T23:30:00Z', 'Europe/Berlin', '2026-01-16'],
    ['2026-01-15T23:30:00Z', 'America/New_York', '2026-01-15'],
    // Berlin's spring day starts at 23:00Z (CET) and its next day at 22:00Z (CEST).
    ['2026-03-28T22:59:59.999Z', 'Europe/Berlin', '2026-03-28'],
    ['2026-03-28T23:00:00Z', 'Europe/Berlin', '2026-03-29'],
    ['2026-03-29T21:59:59.999Z', 'Europe/Berlin', '2026-03-29'],
    ['2026-03-29T22:00:00Z', 'Europe/Berlin', '2026-03-30'],
    // A quarter-hour zone.
    ['2026-01-01T18:14:59.999Z', 'Asia/Kathmandu', '2026-01-01'],
    ['2026-01-01T18:15:00Z', 'Asia/Kathmandu', '2026-01-02'],
    // The same instant on three dates.
    ['2026-01-01T10:00:00Z', 'Pacific/Kiritimati', '2026-01-02'],
    ['2026-01-01T10:00:00Z', 'UTC', '2026-01-01'],
    ['2026-01-01T10:00:00Z', 'Pacific/Pago_Pago', '2025-12-31'],
    // Before 1970 and offsets like 2026-… written with one.
    ['1969-12-31T23:59:59.999Z', 'UTC', '1969-12-31'],
    ['2026-11-28T14:03:11+09:00', 'UTC', '2026-11-28'],
  ];
  for (const [instant, zone, date] of cases) {
    it(`${instant} in ${zone} is ${date}`, () => assert.equal(localDateAt(ms(instant), zone), date));
  }
  it('rejects an unknown zone and an instant that is not a number', () => {
    assert.throws(() => localDateAt(0, 'Mars/Olympus'), RangeError);
    assert.throws(() => localDateAt(Number.NaN, 'UTC'), RangeError);
    assert.throws(() => localDateAt(Number.POSITIVE_INFINITY, 'UTC'), RangeError);
  });
  it('rejects instants outside years 1–9999 instead of writing a wrong date', () => {
    assert.throws(() => localDateAt(-62_135_596_800_000 - 1, 'UTC'), RangeError);
    assert.throws(() => localDateAt(ms('9999-12-31T12:00:00Z'), 'UTC'), RangeError);
    assert.equal(localDateAt(ms('9999-12-29T12:00:00Z'), 'UTC'), '9999-12-29');
  });
});

describe('addDays', () => {
  const cases: [string, number, string][] = [
    ['2026-11-28', 0, '2026-11-28'],
    ['2026-11-28', 1, '2026-11-29'],
    ['2026-11-30', 1, '2026-12-01'],
    ['2026-12-31', 1, '2027-01-01'],
    ['2027-01-01', -1, '2026-12-31'],
    ['2024-02-28', 1, '2024-02-29'],
    ['2026-02-28', 1, '2026-03-01'],
    ['2026-03-01', -1, '2026-02-28'],
    ['2026-03-28', 2, '2026-03-30'], // across Berlin's spring change: calendar days, not 24 h steps
    ['2026-01-01', 365, '2027-01-01'],
    ['0050-06-01', 1, '0050-06-02'], // years below 100 stay themselves
  ];
  for (const [date, days, expected] of cases) {
    it(`${date} ${days >= 0 ? '+' : ''}${days} → ${expected}`, () =>
      assert.equal(addDays(date, days), expected));
  }
  it('rejects a malformed date and a fractional number of days', () => {
    assert.throws(() => addDays('2026-02-30', 1), /Not a calendar date/);
    assert.throws(() => addDays('2026-01-01', 0.5), /whole number of days/);
  });
});

describe('startOfLocalDay', () => {
  const cases: [string, string, string, string][] = [
    ['2026-01-15', 'Europe/Berlin', '2026-01-14T23:00:00.000Z', 'winter: CET'],
    ['2026-07-15', 'Europe/Berlin', '2026-07-14T22:00:00.000Z', 'summer: CEST'],
    ['2026-03-29', 'Europe/Berlin', '2026-03-28T23:00:00.000Z', 'spring-change day starts in CET'],
    ['2026-03-30', 'Europe/Berlin', '2026-03-29T22:00:00.000Z', 'the day after spring change starts in CEST'],
    ['2026-10-25', 'Europe/Berlin', '2026-10-24T22:00:00.000Z', 'autumn-change day starts in CEST'],
    ['2026-10-26', 'Europe/Berlin', '2026-10-25T23:00:00.000Z', 'the day after autumn change starts in CET'],
    ['2026-03-08', 'America/New_York', '2026-03-08T05:00:00.000Z', 'spring-change day (change at 02:00)'],
    ['2026-03-09', 'America/New_York', '2026-03-09T04:00:00.000Z', 'after spring change'],
    ['2026-11-01', 'America/New_York', '2026-11-01T04:00:00.000Z', 'autumn-change day'],
    ['2026-11-02', 'America/New_York', '2026-11-02T05:00:00.000Z', 'after autumn change'],
    ['2026-06-15', 'Asia/Tokyo', '2026-06-14T15:00:00.000Z', 'no DST'],
    ['2026-06-15', 'UTC', '2026-06-15T00:00:00.000Z', 'UTC'],
    ['2026-01-02', 'Asia/Kathmandu', '2026-01-01T18:15:00.000Z', 'quarter-hour offset'],
    [
      '2026-09-06',
      'America/Santiago',
      '2026-09-06T04:00:00.000Z',
      'midnight skipped: the day starts at 01:00',
    ],
    ['2026-09-05', 'America/Santiago', '2026-09-05T04:00:00.000Z', 'the day before, at 00:00 -04'],
    ['2018-11-04', 'America/Sao_Paulo', '2018-11-04T03:00:00.000Z', 'midnight skipped (Brazil, 2018)'],
    ['2026-03-08', 'America/Havana', '2026-03-08T05:00:00.000Z', 'midnight skipped (Cuba)'],
    ['2026-11-01', 'America/Havana', '2026-11-01T04:00:00.000Z', 'midnight repeated: the first one counts'],
    [
      '1919-03-31',
      'America/Toronto',
      '1919-03-31T04:30:00.000Z',
      'jump from 23:30 to 00:30: the day starts at 00:30',
    ],
    ['2011-12-30', 'Pacific/Apia', '2011-12-30T10:00:00.000Z', 'a skipped day starts when the next one does'],
    ['2011-12-31', 'Pacific/Apia', '2011-12-30T10:00:00.000Z', 'the day after the skipped day'],
  ];
  for (const [date, zone, expected, why] of cases) {
    it(`${date} in ${zone} starts at ${expected} (${why})`, () => {
      assert.equal(iso(startOfLocalDay(date, zone)), expected);
    });
  }

  it('a skipped midnight gives the first instant that exists: 01:00 local, right after 23:59:59.999', () => {
    const start = startOfLocalDay('2026-09-06', 'America/Santiago');
    assert.equal(offsetAt(start, 'America/Santiago'), -3 * HOUR); // 04:00Z at −03:00 is 01:00
    assert.equal(localDateAt(start - 1, 'America/Santiago'), '2026-09-05');
  });

  const zones = [
    'Europe/Berlin',
    'America/New_York',
    'Asia/Tokyo',
    'America/Santiago',
    'America/Havana',
    'America/Sao_Paulo',
    'Australia/Lord_Howe',
    'Pacific/Chatham',
    'Africa/Casablanca',
    'Asia/Kathmandu',
    'Asia/Tehran',
    'UTC',
  ];
  for (const zone of zones) {
    it(`every day of 2026 in ${zone}: the result is the day's first instant, and days last 22–26 h`, () => {
      let date = '2026-01-01';
      let start = startOfLocalDay(date, zone);
      while (date < '2027-01-01') {
        const next = addDays(date, 1);
        const nextStart = startOfLocalDay(next, zone);
        assert.equal(localDateAt(start, zone), date, `${date} at its start`);
        assert.equal(localDateAt(start - 1, zone), addDays(date, -1), `${date} one ms before its start`);
        assert.equal(localDateAt(nextStart - 1, zone), date, `${date} one ms before the next day`);
        const length = nextStart - start;
        assert.ok(length >= 22 * HOUR && length <= 26 * HOUR, `${date} lasts ${length / HOUR} h`);
        date = next;
        start = nextStart;
      }
    });
  }

  it('rejects a malformed date and an unknown zone', () => {
    assert.throws(() => startOfLocalDay('2026-02-30', 'UTC'), /Not a calendar date/);
    assert.throws(() => startOfLocalDay('2026-01-01', 'Nowhere/Else'), /Not an IANA time zone/);
  });
});

describe('offsetAt', () => {
  const cases: [string, string, number][] = [
    ['2026-01-15T12:00:00Z', 'Europe/Berlin', 1],
    ['2026-07-15T12:00:00Z', 'Europe/Berlin', 2],
    ['2026-03-29T00:59:59.999Z', 'Europe/Berlin', 1],
    ['2026-03-29T01:00:00Z', 'Europe/Berlin', 2],
    ['2026-10-25T00:59:59.999Z', 'Europe/Berlin', 2],
    ['2026-10-25T01:00:00Z', 'Europe/Berlin', 1],
    ['2026-06-15T00:00:00Z', 'Asia/Tokyo', 9],
    ['2026-06-15T00:00:00Z', 'America/New_York', -4],
    ['2026-01-01T00:00:00Z', 'Asia/Kathmandu', 5.75],
    ['1960-06-01T00:00:00.123Z', 'UTC', 0],
  ];
  for (const [instant, zone, hours] of cases) {
    it(`${zone} at ${instant} is UTC${hours >= 0 ? '+' : ''}${hours}`, () => {
      assert.equal(offsetAt(ms(instant), zone), hours * HOUR);
    });
  }
});

// The answers are kept (dates.ts, Answers): a second ask does no Intl work, and kept or recomputed
// past the bound of what is kept, they stay right, checked against the model's own calendar
// (test/model/tz.ts). Intl's work is counted on its real methods.
describe('kept answers', () => {
  const calls = { formatToParts: 0, resolvedOptions: 0 };
  const proto = Intl.DateTimeFormat.prototype;
  /* eslint-disable @typescript-eslint/unbound-method -- put back as they were, with their own `this` */
  const formatToParts = proto.formatToParts;
  const resolvedOptions = proto.resolvedOptions;
  before(() => {
    proto.formatToParts = function counted(this: Intl.DateTimeFormat, date?: Date | number) {
      calls.formatToParts++;
      return formatToParts.call(this, date);
    };
    proto.resolvedOptions = function counted(this: Intl.DateTimeFormat) {
      calls.resolvedOptions++;
      return resolvedOptions.call(this);
    };
  });
  after(() => {
    proto.formatToParts = formatToParts;
    proto.resolvedOptions = resolvedOptions;
  });
  /* eslint-enable @typescript-eslint/unbound-method */
  const intlWork = (): number => calls.formatToParts + calls.resolvedOptions;

  it('startOfLocalDay: a second ask does no Intl work, and agrees with the model', () => {
    const zones = ['Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe'];
    for (let i = 0; i < 300; i++) {
      const date = modelAddDays('2024-01-01', i * 3);
      const zone = zones[i % zones.length]!;
      const first = startOfLocalDay(date, zone);
      const work = intlWork();
      assert.equal(startOfLocalDay(date, zone), first, `${date} in ${zone}, asked again`);
      assert.equal(intlWork(), work, `${date} in ${zone}: asked again, computed again`);
      assert.equal(first, modelStartOfDay(date, zone), `${date} in ${zone}`);
    }
  });

  it('startOfLocalDay stays right past what it keeps (5,000 dates, asked twice)', () => {
    const zones = ['Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe'];
    const dates = Array.from({ length: 5_000 }, (_, i) => modelAddDays('2020-01-01', i));
    for (let round = 0; round < 2; round++)
      for (const [i, date] of dates.entries()) {
        const zone = zones[i % zones.length]!;
        assert.equal(
          startOfLocalDay(date, zone),
          modelStartOfDay(date, zone),
          `${date} in ${zone}, round ${round}`,
        );
      }
  });

  it('canonicalTimeZone: a second ask does no Intl work, and stays right past 256 unknown names', () => {
    assert.equal(canonicalTimeZone('europe/berlin'), 'Europe/Berlin');
    let work = intlWork();
    assert.equal(canonicalTimeZone('europe/berlin'), 'Europe/Berlin');
    assert.equal(intlWork(), work, 'asked again, computed again');
    for (let i = 0; i < 600; i++) assert.equal(canonicalTimeZone(`Nowhere/Zone_${i}`), null);
    work = intlWork();
    assert.equal(canonicalTimeZone('Nowhere/Zone_599'), null, 'an unknown name kept');
    assert.equal(intlWork(), work);
    assert.equal(
      canonicalTimeZone('Nowhere/Zone_1'),
      null,
      'an unknown name asked again once the kept ones were let go',
    );
    assert.equal(canonicalTimeZone('europe/berlin'), 'Europe/Berlin');
    assert.equal(isValidTimeZone('America/New_York'), true);
  });

  it('a date refused once is refused again, and is not kept', () => {
    for (let round = 0; round < 2; round++)
      assert.throws(() => startOfLocalDay('2026-02-30', 'Europe/Berlin'), /Not a calendar date/);
    assert.throws(() => startOfLocalDay('2026-03-01', 'Nowhere/Zone'), /Not an IANA time zone/);
  });
});
