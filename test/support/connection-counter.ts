import { createServer, type Server } from 'node:net';

/** A TCP listener on 127.0.0.1 that counts (and drops) every connection: proof a host was (not) contacted. */
export async function connectionCounter(): Promise<{ port: number; count: () => number; close: () => Promise<void> }> {
  let n = 0;
  const server: Server = createServer((s) => {
    n++;
    s.destroy();
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  const { port } = server.address() as { port: number };
  return { port, count: () => n, close: () => new Promise((res) => server.close(() => res())) };
}
