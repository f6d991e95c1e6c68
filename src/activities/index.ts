// Every activity a worker registers, wired once: the SALTO KS activities on a client, and the
// coordination activities that read sites through them. Used by the worker and by the tests.
import type { Client } from '@temporalio/client';
import type { SaltoClient } from '../salto';
import type { ImportStaging } from '../import/import-staging';
import { allWithLiveness, withLiveness } from './activity-liveness';
import { createCoordinationActivities, type CoordinationDeps } from './coordination-activities';
import { createImportActivities } from './import-activities';
import type { ImportActivities } from './import-types';
import { createSaltoActivities } from './salto-activities';
import { checkedVariants } from './setup-check';
import type { CoordinationActivities } from './coordination-types';
import type { SaltoActivities } from './types';
import type { WorkMetrics } from '../metrics/work-metrics';

export interface ActivityDeps {
  client: Client;
  saltoClient: SaltoClient;
  taskQueue: string;
  defaultLeadMinutes: number;
  defaultLagMinutes: number;
  listWorkflowIds?: CoordinationDeps['listWorkflowIds'];
  /** Where the API stages uploaded imports (shared with it); absent: this worker runs no import. */
  importStaging?: ImportStaging;
  /** The key of the e-mail search attribute (EMAIL_LOOKUP_KEY); absent: the public demo key. */
  emailLookupSecret?: Buffer;
  /** Counts reconciliation, fan-outs and imports as they finish; absent: not counted. */
  metrics?: WorkMetrics;
}

export function createActivities(
  deps: ActivityDeps,
): SaltoActivities & CoordinationActivities & ImportActivities {
  const salto = createSaltoActivities(deps.saltoClient);
  const wrapCoordination = deps.metrics?.wrapCoordination ?? (<T>(a: T) => a);
  const wrapImports = deps.metrics?.wrapImports ?? (<T>(a: T) => a);
  const coordination = wrapCoordination(
    createCoordinationActivities({
      client: deps.client,
      taskQueue: deps.taskQueue,
      defaultLeadMinutes: deps.defaultLeadMinutes,
      defaultLagMinutes: deps.defaultLagMinutes,
      readSiteState: (siteId) => salto.readSaltoSiteState({ siteId }),
      ...(deps.listWorkflowIds ? { listWorkflowIds: deps.listWorkflowIds } : {}),
      ...(deps.emailLookupSecret ? { emailLookupSecret: deps.emailLookupSecret } : {}),
    }),
  );
  const imports = wrapImports(
    createImportActivities({
      client: deps.client,
      taskQueue: deps.taskQueue,
      defaultLeadMinutes: deps.defaultLeadMinutes,
      defaultLagMinutes: deps.defaultLagMinutes,
      ...(deps.importStaging ? { staging: deps.importStaging } : {}),
      ...(deps.emailLookupSecret ? { emailLookupSecret: deps.emailLookupSecret } : {}),
    }),
  );
  // The short activities heartbeat so a dead worker's are retried within seconds; the long ones
  // (fan-out, reconciliation, import) heartbeat their own progress.
  const signalPerson = (input: Parameters<CoordinationActivities['signalPerson']>[0]) =>
    coordination.signalPerson(input);
  // A person's pass that decided on a set-up it did not read calls these until one answers.
  const checked = checkedVariants({ ...salto, signalPerson }, () => coordination.loadSetup());
  return {
    ...allWithLiveness(salto),
    ...allWithLiveness(checked),
    ...coordination,
    loadSetup: withLiveness(() => coordination.loadSetup()),
    loadSetupAndEmailKey: withLiveness(
      (input: Parameters<CoordinationActivities['loadSetupAndEmailKey']>[0]) =>
        coordination.loadSetupAndEmailKey(input),
    ),
    signalPerson: withLiveness(signalPerson),
    ...imports,
  };
}
