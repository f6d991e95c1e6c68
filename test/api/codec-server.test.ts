// The codec server as the Temporal Web UI calls it: POST /codec/decode and /codec/encode with
// {payloads: [...]} in base64 JSON. Only an admin (token or set-up page session) gets answers,
// and only the configured Web UI origin gets CORS headers. Real HTTP through createApiApp.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { createApiApp } from '../../src/api/app';
import {
  EncryptionCodec,
  ENCRYPTED_ENCODING,
  parsePayloadKeys,
  newPayloadKeyText,
} from '../../src/shared/payload-encryption';
import { serveOnFreePort, type LocalServer } from '../helpers/local-server';

const ADMIN_TOKEN = 'codec-test-admin-token-0123456789';
const WEB_UI = 'http://localhost:8233';
const codec = new EncryptionCodec(parsePayloadKeys(newPayloadKeyText('c1')));

const toJson = (p: Payload) => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
  ),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});
const fromJson = (p: { metadata: Record<string, string>; data: string }): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(p.data, 'base64'),
});

function start(payloadCodec: EncryptionCodec | null): Promise<LocalServer> {
  return serveOnFreePort(
    createApiApp({
      client: { options: { namespace: 'default' } } as unknown as Client, // the codec never reaches Temporal
      taskQueue: 'unused',
      webhookSecrets: ['unused-webhook-secret-0123456789'],
      adminToken: ADMIN_TOKEN,
      setupDefaults: { reservationLeadMinutes: 15, reservationLagMinutes: 15 },
      temporalUiUrl: `${WEB_UI}/`,
      log: () => undefined,
      payloadCodec,
    }),
  );
}

describe('the codec server', () => {
  let api: LocalServer;
  let cookie: string;
  before(async () => {
    api = await start(codec);
    const signIn = await fetch(`${api.url}/session`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ token: ADMIN_TOKEN }),
    });
    cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0]!;
  });
  after(() => api.close());

  const post = (op: string, body: unknown, headers: Record<string, string>) =>
    fetch(`${api.url}/codec/${op}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Namespace': 'default', ...headers },
      body: JSON.stringify(body),
    });

  it('decodes for the Web UI with the admin session (no CSRF token: it changes nothing), with CORS for its origin', async () => {
    const [encrypted] = await codec.encode([defaultPayloadConverter.toPayload({ email: 'ada@example.com' })]);
    const res = await post('decode', { payloads: [toJson(encrypted!)] }, { Cookie: cookie, Origin: WEB_UI });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), WEB_UI);
    assert.equal(res.headers.get('access-control-allow-credentials'), 'true');
    const body = (await res.json()) as { payloads: { metadata: Record<string, string>; data: string }[] };
    assert.deepEqual(defaultPayloadConverter.fromPayload(fromJson(body.payloads[0]!)), {
      email: 'ada@example.com',
    });
  });

  it('encodes with the admin token, and what it encodes decodes back', async () => {
    const plain = defaultPayloadConverter.toPayload('hello');
    const res = await post(
      'encode',
      { payloads: [toJson(plain)] },
      { Authorization: `Bearer ${ADMIN_TOKEN}` },
    );
    assert.equal(res.status, 200);
    const [encoded] = (
      (await res.json()) as { payloads: { metadata: Record<string, string>; data: string }[] }
    ).payloads;
    const payload = fromJson(encoded!);
    assert.equal(Buffer.from(payload.metadata!.encoding!).toString(), ENCRYPTED_ENCODING);
    assert.equal(defaultPayloadConverter.fromPayload((await codec.decode([payload]))[0]!), 'hello');
  });

  it('answers the preflight for the Web UI origin only', async () => {
    const ok = await fetch(`${api.url}/codec/decode`, {
      method: 'OPTIONS',
      headers: {
        Origin: WEB_UI,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type,x-namespace',
      },
    });
    assert.equal(ok.status, 204);
    assert.equal(ok.headers.get('access-control-allow-origin'), WEB_UI);
    assert.match(ok.headers.get('access-control-allow-headers') ?? '', /X-Namespace/i);
    const evil = await fetch(`${api.url}/codec/decode`, {
      method: 'OPTIONS',
      headers: { Origin: 'http://evil.example', 'Access-Control-Request-Method': 'POST' },
    });
    assert.equal(evil.status, 403);
    assert.equal(evil.headers.get('access-control-allow-origin'), null);
  });

  it('decrypts nothing for anyone else: no credentials, a wrong token, another origin', async () => {
    const [encrypted] = await codec.encode([defaultPayloadConverter.toPayload('secret')]);
    const body = { payloads: [toJson(encrypted!)] };
    for (const [headers, status] of [
      [{ Origin: WEB_UI }, 401],
      [{ Authorization: 'Bearer wrong-token-0123456789' }, 401],
      [{ Cookie: cookie, Origin: 'http://evil.example' }, 403],
    ] as const) {
      const res = await post('decode', body, headers);
      assert.equal(res.status, status, JSON.stringify(headers));
      assert.ok(!(await res.text()).includes(Buffer.from('"secret"').toString('base64')));
    }
  });

  it('refuses a malformed body and a payload it cannot open, saying why', async () => {
    const auth = { Authorization: `Bearer ${ADMIN_TOKEN}` };
    assert.equal((await post('decode', { payloads: [{ data: '***' }] }, auth)).status, 400);
    assert.equal((await post('decode', { nothing: true }, auth)).status, 400);
    const [foreign] = await new EncryptionCodec(parsePayloadKeys(newPayloadKeyText('other'))).encode([
      defaultPayloadConverter.toPayload('x'),
    ]);
    const res = await post('decode', { payloads: [toJson(foreign!)] }, auth);
    assert.equal(res.status, 400);
    assert.match(await res.text(), /no payload key with id \\"other\\"/);
  });

  it('hands payloads back unchanged when encryption is off (demo without a key)', async () => {
    const plainApi = await start(null);
    try {
      const plain = defaultPayloadConverter.toPayload({ a: 1 });
      const res = await fetch(`${plainApi.url}/codec/encode`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${ADMIN_TOKEN}` },
        body: JSON.stringify({ payloads: [toJson(plain)] }),
      });
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { payloads: [toJson(plain)] });
    } finally {
      await plainApi.close();
    }
  });
});
