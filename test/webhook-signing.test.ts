/**
 * Webhook signatures and payload text: a fixed vector worked out from MLflow's documented formula
 * (HMAC-SHA256 over `<delivery id>.<timestamp>.<body>`, `v1,<base64>`), and the same inputs put
 * through the installed mlflow's own signing code and json.dumps.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

import { deliveryHeaders, signDelivery } from '../src/core/webhooks/signing';
import { pyFloat, pyJson, type PyJson } from '../src/core/webhooks/py-json';
import { isoTimestamp } from '../src/core/webhooks/webhooks';

const PYTHON = path.join(__dirname, '..', 'compat-tests', '.venv', 'bin', 'python');
const noPython = fs.existsSync(PYTHON) ? false : 'the compat-tests venv (with mlflow) is not installed';

function python(script: string, input: unknown): any {
  return JSON.parse(execFileSync(PYTHON, ['-c', script], { input: JSON.stringify(input), encoding: 'utf8', timeout: 60_000 }));
}

const SECRET = 'whsec-test-key';
const ID = '0b7e9f3c-5a1d-4c2e-9f10-2d3c4b5a6978';
const TS = '1764590400';
const BODY = '{"entity": "model_version", "action": "created", "timestamp": "2025-12-01T12:00:00+00:00", "data": {"name": "m"}}';

describe('webhook signing', () => {
  it('signs as the documented formula says, checked against a vector from another HMAC implementation', () => {
    // Worked out once with Python's hmac module from the same inputs.
    assert.equal(signDelivery(SECRET, ID, TS, BODY), 'v1,OQLMVJJMITIr9NP5nAfBz0VKOca6VcagqMOuiXobYqw=');
    const mac = createHmac('sha256', SECRET).update(`${ID}.${TS}.${BODY}`).digest('base64');
    assert.equal(signDelivery(SECRET, ID, TS, BODY), `v1,${mac}`);
    // Any change to the id, the time, the body or the key changes the signature.
    const base = signDelivery(SECRET, ID, TS, BODY);
    for (const other of [signDelivery(SECRET, `${ID}x`, TS, BODY), signDelivery(SECRET, ID, '1764590401', BODY),
      signDelivery(SECRET, ID, TS, `${BODY} `), signDelivery(`${SECRET}!`, ID, TS, BODY)]) assert.notEqual(other, base);
  });

  it('sends the id and time headers always, and the signature only with a secret', () => {
    const signed = deliveryHeaders(ID, TS, BODY, SECRET);
    assert.deepEqual(signed, {
      'Content-Type': 'application/json', 'X-MLflow-Delivery-Id': ID, 'X-MLflow-Timestamp': TS, 'X-MLflow-Signature': signDelivery(SECRET, ID, TS, BODY),
    });
    assert.deepEqual(Object.keys(deliveryHeaders(ID, TS, BODY, undefined)), ['Content-Type', 'X-MLflow-Delivery-Id', 'X-MLflow-Timestamp']);
    assert.equal('X-MLflow-Signature' in deliveryHeaders(ID, TS, BODY, ''), false);
  });

  it('writes times as Python isoformat() in UTC', () => {
    assert.equal(isoTimestamp(Date.UTC(2025, 11, 1, 12, 0, 0, 0)), '2025-12-01T12:00:00+00:00');
    assert.equal(isoTimestamp(Date.UTC(2025, 11, 1, 12, 0, 0, 7)), '2025-12-01T12:00:00.007000+00:00');
  });

  const awkward: PyJson = {
    name: 'caf\u00e9 \u{1F680} "q" \\ /', tags: { 'k\u0001': 'tab\tnew\nline\u007f\u2028' }, none: null, n: 3, f: pyFloat(100), g: pyFloat(105.5),
    list: ['a', { b: [] }], empty: {},
  };

  it('matches the installed mlflow: its signing code and json.dumps give the same bytes', { skip: noPython }, () => {
    const inputs = { secret: 'k\u00e9y', id: ID, ts: TS, body: pyJson(awkward) };
    const out = python(
      'import sys, json\n'
      + 'from mlflow.webhooks.delivery import _generate_hmac_signature\n'
      + 'from mlflow.webhooks.constants import WEBHOOK_SIGNATURE_HEADER, WEBHOOK_TIMESTAMP_HEADER, WEBHOOK_DELIVERY_ID_HEADER\n'
      + 'a = json.load(sys.stdin)\n'
      + 'value = json.loads(a["body"])\n'
      + 'print(json.dumps({"signature": _generate_hmac_signature(a["secret"], a["id"], a["ts"], a["body"]),'
      + ' "dumped": json.dumps(value),'
      + ' "headers": [WEBHOOK_SIGNATURE_HEADER, WEBHOOK_TIMESTAMP_HEADER, WEBHOOK_DELIVERY_ID_HEADER]}))',
      inputs,
    );
    assert.equal(out.signature, signDelivery(inputs.secret, ID, TS, inputs.body));
    assert.equal(out.dumped, inputs.body, 'our text is what json.dumps writes for the same value');
    assert.deepEqual(out.headers, ['X-MLflow-Signature', 'X-MLflow-Timestamp', 'X-MLflow-Delivery-Id']);
  });
});
