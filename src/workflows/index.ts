// Every workflow the worker runs (the bundle's entry point).
export { personWorkflow } from './person';
export { reservationWorkflow } from './reservation';
export { setupWorkflow } from './setup';
export { reconcileAllSitesWorkflow } from './reconcile';
export { importWorkflow } from './import';
