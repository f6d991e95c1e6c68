// Switching the SALTO KS simulator's faults (errors, 429s, latency, hangs) from a test.
import type { FaultSettings } from '../../src/simulator/faults';

/** Replaces the simulator's faults with these (`{}` for none); throws when the simulator refuses them. */
export async function setSimulatorFaults(simUrl: string, settings: FaultSettings): Promise<void> {
  const res = await fetch(`${simUrl}/__sim/faults`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(settings),
  });
  if (!res.ok) throw new Error(`simulator faults refused: ${res.status} ${await res.text()}`);
}
