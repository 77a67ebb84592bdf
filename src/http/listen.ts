/** The HTTP server: its timeouts, and binding that fails loudly. */
import http from 'node:http';
import net from 'node:net';
import { bracketed } from './hosts';

/** Idle keep-alive connections stay open longer than the 60 s idle timeout of common load balancers. */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;

/**
 * Timeouts against clients that hold a connection without sending:
 * - the request headers must arrive within `clientTimeoutMs` in total;
 * - a connection silent for `clientTimeoutMs` while a request is open (a stalled body, or a
 *   client that stopped reading its answer) is cut;
 * - there is no cap on a whole request, so a multi-GB upload that keeps sending is never cut.
 */
export function createHttpServer(handler: http.RequestListener, clientTimeoutMs: number): http.Server {
  const server = http.createServer({
    requestTimeout: 0,
    headersTimeout: clientTimeoutMs,
    // How often the headers deadline is checked; Node's default (30 s) would let it slip by half again.
    connectionsCheckingInterval: Math.min(clientTimeoutMs, 10_000),
  }, handler);
  server.setTimeout(clientTimeoutMs);
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.on('clientError', answerMalformed);
  return server;
}

/** Node's parser refusals, with the status Node itself would answer, in the API's JSON error shape. */
const PARSER_REFUSALS: Record<string, [number, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'The request headers are too large.'],
  HPE_CHUNK_EXTENSIONS_OVERFLOW: [413, 'The chunk extensions are too large.'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'The request took too long to arrive.'],
};

/**
 * A request Node cannot parse never reaches a route; its default answer is an empty body that
 * clients print as an unexplained failure. The error shape here is the one every route answers with.
 */
function answerMalformed(err: NodeJS.ErrnoException, socket: net.Socket): void {
  // A response under way or a socket gone: nothing can be answered any more. Bytes written
  // before do not count: on a kept-alive connection they are earlier answers, all complete.
  if (!socket.writable || (socket as net.Socket & { _httpMessage?: unknown })._httpMessage) {
    socket.destroy();
    return;
  }
  const [status, message] = PARSER_REFUSALS[err.code ?? ''] ?? [400, 'The request is not valid HTTP.'];
  const body = JSON.stringify({ error_code: status === 400 ? 'MALFORMED_REQUEST' : 'INVALID_PARAMETER_VALUE', message });
  socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

const CAUSES: Record<string, string> = {
  EADDRINUSE: 'address already in use',
  EADDRNOTAVAIL: 'address not available on this machine',
  EACCES: 'permission denied',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name could not be resolved',
};


/** Resolves once the server is bound; rejects with one line naming the address and the cause. */
export function listen(server: http.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      const cause = e.code && CAUSES[e.code] ? `${CAUSES[e.code]} (${e.code})` : e.message;
      reject(new Error(`cannot listen on ${bracketed(host)}:${port}: ${cause}`, { cause: e }));
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}
