/** Which addresses webhooks are refused, in every spelling a URL can give them. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { nonPublicReason, resolveTarget } from '../src/outbound/ssrf';
import { DeliveryFailure, hostOf, TargetRefused } from '../src/core/webhooks/transport';
import { postOnce } from '../src/outbound/webhook-post';

const REFUSED: Array<[string, RegExp]> = [
  ['0.0.0.0', /this network/], ['0.1.2.3', /this network/],
  ['10.0.0.1', /private/], ['10.255.255.255', /private/],
  ['100.64.0.1', /CGNAT/], ['100.127.255.254', /CGNAT/],
  ['127.0.0.1', /loopback/], ['127.255.0.9', /loopback/],
  ['169.254.169.254', /link-local/], ['169.254.0.1', /link-local/],
  ['172.16.0.1', /private/], ['172.31.255.255', /private/],
  ['192.0.0.8', /IETF/], ['192.0.2.5', /documentation/], ['198.51.100.1', /documentation/], ['203.0.113.9', /documentation/],
  ['192.168.1.1', /private/], ['198.18.0.1', /benchmarking/], ['198.19.255.1', /benchmarking/],
  ['224.0.0.251', /multicast/], ['239.1.1.1', /multicast/], ['240.0.0.1', /reserved/], ['255.255.255.255', /reserved/],
  ['::1', /loopback/], ['::', /unspecified/], ['0:0:0:0:0:0:0:1', /loopback/],
  ['::127.0.0.1', /IPv4-compatible/],
  ['::ffff:127.0.0.1', /IPv4-mapped 127\.0\.0\.1, loopback/], ['::ffff:7f00:1', /IPv4-mapped 127\.0\.0\.1/],
  ['0:0:0:0:0:ffff:a9fe:a9fe', /IPv4-mapped 169\.254\.169\.254, link-local/],
  ['::ffff:10.1.1.1', /private/], ['::ffff:100.64.0.1', /CGNAT/],
  ['64:ff9b::a00:1', /NAT64 10\.0\.0\.1/], ['64:ff9b::127.0.0.1', /NAT64 127\.0\.0\.1/], ['64:ff9b:1::1', /NAT64/],
  ['2002:a9fe:a9fe::1', /6to4 169\.254\.169\.254/], ['2002:c0a8:0101::', /6to4 192\.168\.1\.1/],
  ['fc00::1', /unique local/], ['fd00:ec2::254', /unique local/], ['fdff:ffff::1', /unique local/],
  ['fe80::1', /link-local/], ['fe80::1%eth0', /link-local/], ['febf::1', /link-local/], ['fec0::1', /site-local/],
  ['ff02::1', /multicast/], ['2001:db8::1', /documentation/], ['2001::1', /Teredo/], ['100::1', /discard/],
];

const PUBLIC = ['8.8.8.8', '1.1.1.1', '93.184.216.34', '172.32.0.1', '172.15.255.255', '100.63.255.255', '100.128.0.1', '192.169.0.1',
  '169.253.255.255', '11.0.0.1', '223.255.255.255', '2606:4700:4700::1111', '2a00:1450:4001::200e', '::ffff:8.8.8.8', '64:ff9b::808:808',
  '2002:808:808::1'];

describe('webhook SSRF rules', () => {
  it('refuses every loopback, private, link-local, shared, documentation, multicast and reserved range', () => {
    for (const [address, why] of REFUSED) {
      const reason = nonPublicReason(address);
      assert.ok(reason, `${address} should be refused`);
      assert.match(reason!, why, `${address}: ${reason}`);
    }
  });

  it('lets public unicast addresses through, IPv6 forms of public IPv4 addresses too', () => {
    for (const address of PUBLIC) assert.equal(nonPublicReason(address), undefined, address);
  });

  it('judges the address the URL parser makes of decimal, octal, hex and short IPv4 spellings, and of bracketed IPv6', () => {
    const spellings: Array<[string, string]> = [
      ['http://2130706433/', '127.0.0.1'], ['http://0x7f000001/', '127.0.0.1'], ['http://0177.0.0.1/', '127.0.0.1'],
      ['http://0x7f.1/', '127.0.0.1'], ['http://127.1/', '127.0.0.1'], ['http://017700000001/', '127.0.0.1'],
      ['http://0xa9.0376.43518/', '169.254.169.254'], ['http://2852039166/', '169.254.169.254'], ['http://0/', '0.0.0.0'],
      ['http://10.1/', '10.0.0.1'], ['http://0xC0.0xA8.1.1:8080/x', '192.168.1.1'],
      ['http://[::ffff:127.0.0.1]/', '::ffff:7f00:1'], ['http://[0:0:0:0:0:ffff:169.254.169.254]/', '::ffff:a9fe:a9fe'],
      ['https://[::1]:443/', '::1'], ['http://[fe80::1]/', 'fe80::1'], ['http://[FD00::1]/', 'fd00::1'],
    ];
    for (const [url, normal] of spellings) {
      const host = hostOf(new URL(url));
      assert.equal(host, normal, url);
      assert.ok(nonPublicReason(host), `${url} (${host}) should be refused`);
    }
  });

  it('resolves names and refuses one that points inward, unless private targets are allowed', async () => {
    await assert.rejects(resolveTarget('localhost', false, 2000), TargetRefused);
    await assert.rejects(resolveTarget('127.0.0.1', false, 2000), /not a public address \(loopback\)/);
    assert.deepEqual(await resolveTarget('93.184.216.34', false, 2000), { address: '93.184.216.34', family: 4 });
    assert.equal((await resolveTarget('localhost', true, 2000)).address.match(/^(127\.|::1$)/) !== null, true);
    assert.deepEqual(await resolveTarget('::1', true, 2000), { address: '::1', family: 6 });
  });

  it('sends nothing to a refused address, and nothing for a refused scheme', async () => {
    let hits = 0;
    const receiver = http.createServer((_req, res) => { hits++; res.end('ok'); });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const port = (receiver.address() as AddressInfo).port;
    try {
      const opts = { timeoutMs: 2000, allowPrivate: false, maxResponseBytes: 1024 };
      for (const url of [`http://127.0.0.1:${port}/`, `http://localhost:${port}/`, `http://2130706433:${port}/`, `http://[::ffff:127.0.0.1]:${port}/`]) {
        await assert.rejects(postOnce(url, {}, '{}', opts), (e) => e instanceof DeliveryFailure && !e.retryable && /not a public address/.test(e.message), url);
      }
      await assert.rejects(postOnce(`file:///etc/passwd`, {}, '{}', opts), (e) => e instanceof DeliveryFailure && !e.retryable);
      assert.equal(hits, 0);
      const answer = await postOnce(`http://127.0.0.1:${port}/`, {}, '{}', { ...opts, allowPrivate: true });
      assert.deepEqual([answer.status, answer.body, hits], [200, 'ok', 1]);
    } finally {
      receiver.close();
    }
  });
});
