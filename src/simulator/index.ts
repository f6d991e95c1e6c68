// The SALTO KS simulator's public surface.
export { createSimulator, type Simulator, type SimulatorLogger, type SimulatorOptions } from './app';
export type { SimulatorControls } from './admin-routes';
export * from './demo-seed';
export type { FaultSettings } from './faults';
export type { SimStateView } from './model';
export type { LoggedRequest } from './request-log';
export { dataFromSeed, SeedError, type SimSeed } from './seed';
export { startSimulator, type RunningSimulator, type StartSimulatorOptions } from './server';
