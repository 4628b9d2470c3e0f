import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';

/**
 * Starts an in-memory DynamoDB-protocol server (dynalite) on 127.0.0.1 with a random port.
 * Tables are ACTIVE at once. Point a client at `endpoint` with region us-east-1 and any
 * static credentials; call close() in afterAll.
 */
export async function startDynalite(): Promise<{ endpoint: string; close(): Promise<void> }> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        // Keep-alive sockets of SDK clients would otherwise hold the server open.
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
