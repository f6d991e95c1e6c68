// One "process" of the service for the shared-renewal test: its own SaltoOAuth and client over
// the shared encrypted token store. It waits for the instant in argv (so that every process
// calls at once), makes one Connect API call, and prints what came of it as one JSON line.
import { EncryptedFileTokenStore } from '../../../src/salto/token-store';
import { makeClient } from './client';

async function main(): Promise<void> {
  const [url = '', file = '', keyHex = '', startAt = '0'] = process.argv.slice(2);
  const t = makeClient(url, {
    password: false,
    store: new EncryptedFileTokenStore(file, Buffer.from(keyHex, 'hex')),
  });
  await t.auth.status(); // loads the stored sign-in before the start line, as a running process has
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(startAt) - Date.now())));
  try {
    const sites = await t.client.listSites();
    const status = await t.auth.status();
    process.stdout.write(
      JSON.stringify({ sites: sites.length, needsReconnect: status.needsReconnect }) + '\n',
    );
  } catch (error) {
    const status = await t.auth.status();
    process.stdout.write(
      JSON.stringify({ error: String(error), needsReconnect: status.needsReconnect }) + '\n',
    );
  }
}

void main();
