import type { Server } from 'node:net';

/** Listens on `port`, or the next free one when it is taken (S2); port 0 takes any free port. */
export async function listenWithPortSearch(server: Server, port: number, host: string, tries: number): Promise<number> {
  for (let attempt = 0; attempt < tries; attempt++) {
    const candidate = port === 0 ? 0 : port + attempt;
    try {
      await new Promise<void>((resolve, reject) => {
        const onError = (err: Error) => {
          server.off('listening', onListening);
          reject(err);
        };
        const onListening = () => {
          server.off('error', onError);
          resolve();
        };
        server.once('error', onError);
        server.once('listening', onListening);
        server.listen(candidate, host);
      });
      return (server.address() as { port: number }).port;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || port === 0) throw err;
    }
  }
  throw new Error(`no free port in ${port}..${port + tries - 1}`);
}
