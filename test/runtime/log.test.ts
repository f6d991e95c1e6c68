// The log format (issue 13 §4): one JSON object per line with level, time, component and the ids
// that apply, or a readable line with LOG_FORMAT=pretty.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger, formatLogLine } from '../../src/runtime/log';

const time = new Date('2026-12-02T09:15:30.250Z');

describe('log lines', () => {
  it('json: one object with level, time, component, msg and the fields given (undefined ones left out)', () => {
    const line = formatLogLine('json', {
      level: 'warn',
      time,
      component: 'worker',
      msg: 'SALTO KS request failed (retryable)',
      fields: { workflowId: 'person-m-1', status: 503, activity: undefined },
    });
    assert.deepEqual(JSON.parse(line), {
      level: 'warn',
      time: '2026-12-02T09:15:30.250Z',
      component: 'worker',
      msg: 'SALTO KS request failed (retryable)',
      workflowId: 'person-m-1',
      status: 503,
    });
    assert.ok(!line.includes('\n'), 'one line');
  });

  it('pretty: time, level when not info, component, message, then key=value', () => {
    assert.equal(
      formatLogLine('pretty', {
        level: 'info',
        time,
        component: 'api',
        msg: 'webhook accepted',
        fields: { eventId: 'evt 1' },
      }),
      '09:15:30 [api] webhook accepted eventId="evt 1"',
    );
    assert.equal(
      formatLogLine('pretty', { level: 'error', time, component: 'api', msg: 'boom' }),
      '09:15:30 ERROR [api] boom',
    );
  });

  it('a logger writes each line once, in its format, at the time it is told', () => {
    const lines: string[] = [];
    const logger = createLogger(
      'api',
      'json',
      (l) => lines.push(l),
      () => time,
    );
    logger.info('API listening');
    logger.error('request failed', { eventId: 'evt_1' });
    assert.deepEqual(
      lines.map((l) => JSON.parse(l) as Record<string, unknown>),
      [
        { level: 'info', time: time.toISOString(), component: 'api', msg: 'API listening' },
        {
          level: 'error',
          time: time.toISOString(),
          component: 'api',
          msg: 'request failed',
          eventId: 'evt_1',
        },
      ],
    );
  });
});
