// The worker's long jobs, counted as they finish: reconciliation of each SALTO KS site (what it
// read, and the users deleted by hand it has made again), set-up fan-outs (running, and the
// people and reservations told), and import chunks (rows imported and refused). Counters only
// grow: progress is their rate (`rate(import_rows_total[1m])`), totals their increase.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { CoordinationActivities } from '../activities/coordination-types';
import type { ImportActivities } from '../activities/import-types';

export interface WorkMetrics {
  wrapCoordination: <T extends Pick<CoordinationActivities, 'reconcileSite' | 'notifyPeopleOfSetupChange'>>(
    activities: T,
  ) => T;
  wrapImports: <T extends Pick<ImportActivities, 'importChunk'>>(activities: T) => T;
}

export function workMetrics(registry: Registry): WorkMetrics {
  const counter = (name: string, help: string) => new Counter({ name, help, registers: [registry] });
  const sites = counter('reconciliation_sites_total', 'SALTO KS sites read and compared by reconciliation');
  const usersSeen = counter('reconciliation_users_seen_total', 'SALTO KS users reconciliation read');
  const told = counter(
    'reconciliation_people_told_total',
    'People reconciliation told what SALTO KS holds for them (each repairs any drift itself)',
  );
  const missing = counter(
    'reconciliation_users_missing_total',
    'People with access whose SALTO KS user was gone (deleted by hand): each makes it again',
  );
  const fanOuts = counter('setup_fan_outs_total', 'Set-up changes carried to every affected person');
  const fanOutTold = counter(
    'setup_fan_out_notified_total',
    'People and reservations told of a set-up change by fan-outs',
  );
  const fanOutsRunning = new Gauge({
    name: 'setup_fan_outs_running',
    help: 'Set-up fan-outs under way in this worker',
    registers: [registry],
  });
  const importRows = new Counter({
    name: 'import_rows_total',
    help: 'Import rows handled, by result (imported: handed to their workflow; refused: a row issue)',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  return {
    wrapCoordination(activities) {
      return {
        ...activities,
        async reconcileSite(input) {
          const r = await activities.reconcileSite(input);
          sites.inc();
          usersSeen.inc(r.usersSeen);
          told.inc(r.peopleTold);
          missing.inc(r.usersMissing ?? 0);
          return r;
        },
        async notifyPeopleOfSetupChange(fanOut) {
          fanOutsRunning.inc();
          try {
            const n = await activities.notifyPeopleOfSetupChange(fanOut);
            fanOuts.inc();
            fanOutTold.inc(n);
            return n;
          } finally {
            fanOutsRunning.dec();
          }
        },
      };
    },
    wrapImports(activities) {
      return {
        ...activities,
        async importChunk(input) {
          const r = await activities.importChunk(input);
          importRows.inc({ result: 'imported' }, r.delivered);
          importRows.inc({ result: 'refused' }, r.issues.length);
          return r;
        },
      };
    },
  };
}
