// `npm run simulator`: the SALTO KS simulator alone, on SALTO_SIMULATOR_PORT, keeping its
// state in SALTO_SIMULATOR_STATE_FILE when set. A fresh state holds the demo account.
import { exitOnStartupFailure, loadConfig } from './config';
import { DEMO_CLIENT_ID, DEMO_SEED, DEMO_SYSTEM_USER } from './simulator/demo-seed';
import { startSimulator } from './simulator/server';

async function main(): Promise<void> {
  const config = loadConfig();
  const stateFile = config.SALTO_SIMULATOR_STATE_FILE;
  const running = await startSimulator({
    port: config.SALTO_SIMULATOR_PORT,
    seed: DEMO_SEED,
    ...(stateFile ? { stateFile } : {}),
    logger: { info: (m) => console.log(m), warn: (m) => console.warn(m) },
  });
  console.log(`SALTO KS simulator listening on ${running.url} (identity server and Connect API)`);
  console.log(
    `  state: ${stateFile ?? 'in memory'}; demo client "${DEMO_CLIENT_ID}", system user "${DEMO_SYSTEM_USER}"`,
  );

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.log(`SALTO KS simulator: ${signal}, stopping`);
    running.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => exitOnStartupFailure('simulator', err));
