// A real simulator on an ephemeral port, driven over HTTP through its /__sim endpoints.
import type { FaultSettings, LoggedRequest, SimSeed, SimStateView } from '../../../src/simulator';
import { startSimulator, type RunningSimulator } from '../../../src/simulator/server';

export const TEST_CLIENT_ID = 'access-sync-test';
export const TEST_CLIENT_SECRET = 'client-secret-never-in-logs-5f2a';
export const TEST_USERNAME = 'robot@sync.example';
export const TEST_PASSWORD = 'password-never-in-logs-9c1e';

export const SITE_A = '11111111-1111-4111-8111-111111111111';
export const SITE_B = '22222222-2222-4222-8222-222222222222';

/** Two sites with a few groups, the test client and system user; extend as needed. */
export function baseSeed(extra: Partial<SimSeed> = {}): SimSeed {
  return {
    clients: { [TEST_CLIENT_ID]: TEST_CLIENT_SECRET },
    systemUsers: { [TEST_USERNAME]: TEST_PASSWORD },
    tokenTtlSeconds: 3600,
    sites: [
      {
        id: SITE_A,
        site_uid: 'DE4520168385',
        name: 'Site A',
        time_zone: 'Europe/Berlin',
        access_groups: [
          { id: 'ag-a-entrance', name: 'Entrance' },
          { id: 'ag-a-floor', name: 'Floor' },
          { id: 'ag-a-office', name: 'Office' },
        ],
        users: [],
      },
      {
        id: SITE_B,
        site_uid: 'US7730251946',
        name: 'Site B',
        time_zone: 'America/New_York',
        access_groups: [{ id: 'ag-b-lobby', name: 'Lobby' }],
        users: [],
      },
    ],
    ...extra,
  };
}

export class TestSimulator {
  private constructor(
    readonly running: RunningSimulator,
    readonly url: string,
  ) {}

  static async start(options: { seed?: SimSeed; stateFile?: string } = {}): Promise<TestSimulator> {
    const running = await startSimulator({
      port: 0,
      host: '127.0.0.1',
      seed: options.seed ?? baseSeed(),
      ...(options.stateFile ? { stateFile: options.stateFile } : {}),
    });
    return new TestSimulator(running, running.url);
  }

  close(): Promise<void> {
    return this.running.close();
  }

  async reset(seed: SimSeed = baseSeed()): Promise<SimStateView> {
    return (await this.call('POST', '/__sim/reset', seed)) as SimStateView;
  }

  async state(): Promise<SimStateView> {
    return (await this.call('GET', '/__sim/state')) as SimStateView;
  }

  async faults(settings: FaultSettings): Promise<void> {
    await this.call('POST', '/__sim/faults', settings);
  }

  async requests(): Promise<LoggedRequest[]> {
    return (await this.call('GET', '/__sim/requests')) as LoggedRequest[];
  }

  /** Connect API requests only (/v1.x), as "METHOD /path". */
  async apiRequests(): Promise<string[]> {
    return (await this.requests())
      .filter((r) => r.path.startsWith('/v1'))
      .map((r) => `${r.method} ${r.path}`);
  }

  async tokenRequests(): Promise<LoggedRequest[]> {
    return (await this.requests()).filter((r) => r.path === '/connect/token');
  }

  async requestCount(): Promise<{ served: number; kept: number }> {
    return (await this.call('GET', '/__sim/requests/count')) as { served: number; kept: number };
  }

  async clearRequests(): Promise<void> {
    await this.call('DELETE', '/__sim/requests');
  }

  private async call(method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return response.status === 204 ? null : await response.json();
  }
}
