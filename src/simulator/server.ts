// Listens with the simulator on a port (0: any free one) and stops cleanly.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSimulator, type Simulator, type SimulatorOptions } from './app';

export interface StartSimulatorOptions extends SimulatorOptions {
  port: number;
  /** Interface to listen on; default all. */
  host?: string;
}

export interface RunningSimulator {
  /** Origin of both the identity server and the Connect API, e.g. http://localhost:8090 */
  url: string;
  simulator: Simulator;
  close(): Promise<void>;
}

export async function startSimulator(options: StartSimulatorOptions): Promise<RunningSimulator> {
  const simulator = createSimulator(options);
  const server = createServer(simulator.app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    if (options.host === undefined) server.listen(options.port, resolve);
    else server.listen(options.port, options.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  // A specific interface is where clients must go; otherwise localhost reaches it.
  const wildcard = options.host === undefined || ['', '0.0.0.0', '::'].includes(options.host);
  const host = wildcard ? 'localhost' : options.host!.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}`,
    simulator,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections(); // keep-alive sockets would hold close() open
      }),
  };
}
