// An HTTP app on a free loopback port for one test file, and closing it without waiting for
// keep-alive connections to time out.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LocalServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

export async function serveOnFreePort(app: {
  listen(port: number, callback: () => void): Server;
}): Promise<LocalServer> {
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, () => resolve(s));
  });
  return {
    server,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
