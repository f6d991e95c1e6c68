// A process without an HTTP API of its own (the worker) answers GET /healthz here, for the
// container's health check and for orchestrators, and GET /metrics for Prometheus.
import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';

export interface HealthReport {
  healthy: boolean;
  [detail: string]: unknown;
}

/** Listens on `port` (all interfaces: a container's health check and its orchestrator reach it). */
export function startHealthServer(
  port: number,
  report: () => Promise<HealthReport>,
  log: (line: string) => void,
  metrics?: { registry: Registry; more?: () => Promise<string> },
): Promise<Server> {
  const server = createServer((req, res) => {
    if (metrics && req.method === 'GET' && req.url === '/metrics') {
      Promise.all([metrics.registry.metrics(), metrics.more?.() ?? '']).then(
        ([own, more]) =>
          res.writeHead(200, { 'Content-Type': metrics.registry.contentType }).end(`${own}\n${more}`),
        (error: unknown) => {
          log(`metrics failed: ${String(error)}`);
          res.writeHead(500, { 'Content-Type': 'text/plain' }).end('metrics failed');
        },
      );
      return;
    }
    if (req.method !== 'GET' || req.url !== '/healthz') {
      res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"error":"not_found"}');
      return;
    }
    report().then(
      (answer) => {
        res
          .writeHead(answer.healthy ? 200 : 503, {
            'Content-Type': 'application/json',
            'Cache-Control': 'no-store',
          })
          .end(JSON.stringify(answer));
      },
      (error: unknown) => {
        log(`health check failed: ${String(error)}`);
        res.writeHead(503, { 'Content-Type': 'application/json' }).end('{"healthy":false}');
      },
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
