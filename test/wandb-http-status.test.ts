import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WANDB_HTTP_STATUS } from '../src/protocols/wandb/http-status';

test('every refusal on the W&B plain routes is a 4xx, but an internal fault (500) and a busy store (503)', () => {
  for (const [code, status] of Object.entries(WANDB_HTTP_STATUS)) {
    if (code === 'INTERNAL') assert.equal(status, 500);
    else if (code === 'UNAVAILABLE') assert.equal(status, 503);
    else if (code === 'NOT_IMPLEMENTED') assert.equal(status, 501, 'the client does not retry a 501');
    else assert.ok(status >= 400 && status < 500, `${code} → ${status}`);
  }
  // The ones a client sends into: a duplicate or a conflict is not the server's fault.
  assert.equal(WANDB_HTTP_STATUS.ALREADY_EXISTS, 409);
  assert.equal(WANDB_HTTP_STATUS.CONFLICT, 409);
});
