// The chaos run's personal-data search: it finds a needle in any case, in text and in files (a
// database and its WAL), names what it found and where — never the value — and says how much it
// searched, so "0 found" can be told from "nothing searched".
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PersonalDataScan } from './personal-data-scan';

describe('the personal-data scan', () => {
  const needles = [
    { what: 'an e-mail', value: '@chaos.example' },
    { what: 'a secret', value: 's3cret-Token' },
  ];

  it('finds each needle in any case, once per place, and counts what it searched', () => {
    const scan = new PersonalDataScan(needles);
    scan.scanText('the API', '{"msg":"accepted","eventId":"e-1"}\n');
    assert.deepEqual(scan.hits, []);
    scan.scanText('the API', 'refused m-1@CHAOS.EXAMPLE\n');
    scan.scanText('the API', 'again m-2@chaos.example and S3CRET-TOKEN\n');
    assert.deepEqual(scan.hits, [
      { where: 'the API', what: 'an e-mail' },
      { where: 'the API', what: 'a secret' },
    ]);
    assert.ok((scan.searched.get('the API') ?? 0) > 60);
    assert.ok(!JSON.stringify(scan.hits).includes('s3cret'), 'a hit never holds the value');
  });

  it('searches every file with the prefix, byte for byte', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scan-'));
    writeFileSync(
      join(dir, 'temporal.sqlite'),
      Buffer.concat([Buffer.from([0, 1, 2]), Buffer.from('clean')]),
    );
    writeFileSync(join(dir, 'temporal.sqlite-wal'), Buffer.from('\u0000x@chaos.example\u0000'));
    writeFileSync(join(dir, 'other.log'), 's3cret-Token');
    const scan = new PersonalDataScan(needles);
    scan.scanFiles('the database', dir, 'temporal.sqlite');
    assert.deepEqual(scan.hits, [{ where: 'the database (temporal.sqlite-wal)', what: 'an e-mail' }]);
    assert.equal(scan.searched.get('the database'), 8 + 17);
  });
});
