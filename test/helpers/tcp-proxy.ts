/**
 * A TCP proxy on 127.0.0.1 in front of one etcd client URL, for scripting a
 * watch break at an exact point of the stream: `cutAfter(markers)` ends every
 * connection right after a chunk from etcd that holds one of the markers has
 * been passed on (so the client has read it), and holds new connections
 * (accepted, not forwarded) until `resume()`.
 *
 *   const proxy = await startTcpProxy(t, etcd.endpoints[0]);   // closed when the test ends
 *   const cut = proxy.cutAfter([Buffer.from('h1-m2')]);
 *   ...write the key...; await cut; ...write more while the client is cut off...; proxy.resume();
 *
 * Works for HTTP/1.1 (the JSON gateway; markers there are base64) and HTTP/2
 * (gRPC; values are raw bytes in the frames).
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  /** connections accepted so far */
  readonly accepted: number;
  cutAfter(markers: Buffer[]): Promise<void>;
  resume(): void;
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  upstream: Socket | null;
  tail: Buffer;
}

export async function startTcpProxy(t: { after: (fn: () => unknown) => void }, target: string): Promise<TcpProxy> {
  const to = new URL(target);
  const pairs = new Set<Pair>();
  const held: Pair[] = [];
  let holding = false;
  let armed: { markers: Buffer[]; longest: number; done: () => void } | null = null;
  let accepted = 0;

  const cutAll = () => {
    holding = true;
    for (const p of pairs) {
      p.client.end();
      p.upstream?.destroy();
    }
  };

  const forward = (p: Pair) => {
    const up = connect(Number(to.port), to.hostname);
    p.upstream = up;
    p.client.on('data', (d: Buffer) => up.write(d));
    up.on('data', (d: Buffer) => {
      p.client.write(d);
      const a = armed;
      if (!a) return;
      const seen = Buffer.concat([p.tail, d]);
      p.tail = seen.subarray(Math.max(0, seen.length - a.longest));
      if (a.markers.some((m) => seen.includes(m))) {
        armed = null;
        cutAll();
        a.done();
      }
    });
    const drop = () => {
      pairs.delete(p);
      p.client.destroy();
      up.destroy();
    };
    up.on('error', drop);
    up.on('close', drop);
    p.client.on('error', drop);
    p.client.on('close', drop);
    p.client.resume();
  };

  const server: Server = createServer({ pauseOnConnect: true }, (client) => {
    accepted++;
    const p: Pair = { client, upstream: null, tail: Buffer.alloc(0) };
    pairs.add(p);
    client.on('error', () => pairs.delete(p));
    if (holding) held.push(p);
    else forward(p);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;

  const proxy: TcpProxy = {
    url: `http://127.0.0.1:${port}`,
    get accepted() {
      return accepted;
    },
    cutAfter(markers) {
      return new Promise((done) => {
        armed = { markers, longest: Math.max(...markers.map((m) => m.length)), done };
      });
    },
    resume() {
      holding = false;
      for (const p of held.splice(0)) if (!p.client.destroyed) forward(p);
    },
    close() {
      for (const p of pairs) {
        p.client.destroy();
        p.upstream?.destroy();
      }
      return new Promise((r) => server.close(() => r()));
    },
  };
  t.after(() => proxy.close());
  return proxy;
}
