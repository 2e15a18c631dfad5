import { readFileSync } from 'node:fs';
import { connect } from 'node:tls';

/**
 * Does a chaincode server accept a TLS client? A server requiring client certificates of its own
 * organisation's TLS CA either fails the handshake or (TLS 1.3, where the client's certificate is
 * checked after the client considers the handshake done) closes the connection at once; an accepted
 * client stays connected. `client` is a TLS key pair's files, or null for no certificate at all.
 */
export function acceptsClient(
  host: string,
  port: number,
  serverCa: string,
  client: { cert: string; key: string } | null,
  holdMs = 1_500,
): Promise<boolean> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (accepted: boolean): void => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(accepted);
    };
    const socket = connect({
      host,
      port,
      ca: readFileSync(serverCa),
      ALPNProtocols: ['h2'],
      ...(client === null ? {} : { cert: readFileSync(client.cert), key: readFileSync(client.key) }),
    });
    socket.once('secureConnect', () => setTimeout(() => done(true), holdMs));
    socket.once('error', () => done(false));
    socket.once('close', () => done(false));
    socket.setTimeout(10_000, () => done(false));
  });
}
