/**
 * The bare-watcher floor (DESIGN §3): N minimal clients of the master key, run
 * as its own process by `bench` (bundled like the worker, see bare-bundle.ts)
 * so that its latency and memory sit beside our agents' in the same run.
 *
 * Each watcher does the least a correct agent must, on two connections of its
 * own (raw undici Clients, no pool): get the master once (for the revision),
 * watch from the next revision, and when a new master is PUT read ego_conf
 * once. Watch messages are not JSON-parsed: a substring test finds the DELETE.
 * Nothing is printed per event; times go into typed arrays and are printed
 * when asked for.
 *
 *   node bare-watchers-<hash>.mjs --endpoints http://127.0.0.1:2379,... --count 1000
 *   stdout: {"t":1764083012345.1,"ev":"ready","count":1000}  {"t":..,"ev":"all-notified"}  {"t":..,"ev":"all-got"}
 *           {"t":..,"ev":"report","notify":[1764083012349.7,...],"put":[...],"got":[...]}   (null = not seen)
 *           {"t":..,"ev":"pong","seq":3}   {"t":..,"ev":"error","message":"..."}
 *   stdin:  {"cmd":"ping","seq":3}  {"cmd":"report"}   closing stdin exits
 */
import { parseArgs } from 'node:util';
import { createInterface } from 'node:readline';
import { Client } from 'undici';
import { now } from '../clock.ts';

const JSON_HEADERS = { 'content-type': 'application/json' };

function out(fields: Record<string, unknown>): void {
  process.stdout.write(JSON.stringify({ t: now(), ...fields }) + '\n');
}

function b64(s: string): string {
  return Buffer.from(s).toString('base64');
}

/** occurrences of `needle` in `s` */
function count(s: string, needle: string): number {
  let n = 0;
  for (let i = s.indexOf(needle); i >= 0; i = s.indexOf(needle, i + needle.length)) n++;
  return n;
}

interface Options {
  endpoints: string[];
  count: number;
  key: string;
  egoKey: string;
}

class Floor {
  readonly notify: Float64Array;
  readonly put: Float64Array;
  readonly got: Float64Array;
  private created = 0;
  private notified = 0;
  private gotCount = 0;
  private errors = 0;
  readonly clients: Client[] = [];
  readonly ctl = new AbortController();
  private readonly rangeMaster: string;
  private readonly rangeEgo: string;

  constructor(private readonly o: Options) {
    this.notify = new Float64Array(o.count).fill(NaN);
    this.put = new Float64Array(o.count).fill(NaN);
    this.got = new Float64Array(o.count).fill(NaN);
    this.rangeMaster = JSON.stringify({ key: b64(o.key) });
    this.rangeEgo = JSON.stringify({ key: b64(o.egoKey) });
  }

  async start(): Promise<void> {
    const starts: Promise<void>[] = [];
    for (let i = 0; i < this.o.count; i++) {
      starts.push(this.watcher(i).catch((e: Error) => this.error(i, e)));
      // as the agents worker does: let the event loop breathe while thousands start
      if (i % 200 === 199) await new Promise((r) => setImmediate(r));
    }
    if (this.o.count === 0) out({ ev: 'ready', count: 0 });
    await Promise.all(starts);
  }

  private error(i: number, e: Error): void {
    if (this.ctl.signal.aborted) return;
    this.errors++;
    // the first few, then every 1000th: thousands failing at once must not flood the pipe
    if (this.errors <= 5 || this.errors % 1000 === 0) out({ ev: 'error', watcher: i, errors: this.errors, message: e.message });
  }

  private async watcher(i: number): Promise<void> {
    const origin = this.o.endpoints[i % this.o.endpoints.length];
    const gets = new Client(origin, { keepAliveTimeout: 60_000 });
    const watch = new Client(origin, { headersTimeout: 0, bodyTimeout: 0 });
    this.clients.push(gets, watch);
    const signal = this.ctl.signal;
    const first = await gets.request({ path: '/v3/kv/range', method: 'POST', body: this.rangeMaster, headers: JSON_HEADERS, signal });
    const head = (await first.body.json()) as { header?: { revision?: string } };
    const start = (BigInt(head.header?.revision ?? '0') + 1n).toString();
    const res = await watch.request({
      path: '/v3/watch',
      method: 'POST',
      body: JSON.stringify({ create_request: { key: b64(this.o.key), start_revision: start } }),
      headers: JSON_HEADERS,
      signal,
    });
    if (res.statusCode !== 200) throw new Error(`watch HTTP ${res.statusCode}: ${(await res.body.text()).slice(0, 200)}`);
    let buf = '';
    res.body.on('data', (chunk: Buffer) => {
      const t = now();
      buf += chunk.toString('latin1');
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        this.line(i, buf.slice(0, nl), t, gets);
        buf = buf.slice(nl + 1);
      }
    });
    await new Promise<void>((resolve, reject) => {
      res.body.once('end', () => (signal.aborted ? resolve() : reject(new Error('watch ended'))));
      res.body.once('error', (e) => (signal.aborted ? resolve() : reject(e)));
    });
  }

  private line(i: number, line: string, t: number, gets: Client): void {
    if (line.includes('"created":true')) {
      if (++this.created === this.o.count) out({ ev: 'ready', count: this.created });
      return;
    }
    if (line.includes('"error"')) return this.error(i, new Error(line.slice(0, 200)));
    if (!line.includes('"events"')) return;
    // a PUT event has no "type" (the enum default); several may share one message
    const deletes = count(line, '"type":"DELETE"');
    const puts = count(line, '"kv":') - deletes;
    if (deletes > 0 && Number.isNaN(this.notify[i])) {
      this.notify[i] = t;
      if (++this.notified === this.o.count) out({ ev: 'all-notified' });
    }
    if (puts > 0 && Number.isNaN(this.put[i])) {
      this.put[i] = t;
      void this.readEgo(i, gets);
    }
  }

  /** the agent's "got master": one read of ego_conf */
  private async readEgo(i: number, gets: Client): Promise<void> {
    try {
      const r = await gets.request({ path: '/v3/kv/range', method: 'POST', body: this.rangeEgo, headers: JSON_HEADERS, signal: this.ctl.signal });
      await r.body.text();
      if (r.statusCode !== 200) throw new Error(`ego_conf HTTP ${r.statusCode}`);
      this.got[i] = now();
      if (++this.gotCount === this.o.count) out({ ev: 'all-got' });
    } catch (e) {
      this.error(i, e as Error);
    }
  }

  /** print this round's times and start the next round */
  report(): void {
    const list = (a: Float64Array) => Array.from(a, (v) => (Number.isNaN(v) ? null : v));
    out({ ev: 'report', notify: list(this.notify), put: list(this.put), got: list(this.got), errors: this.errors });
    this.notify.fill(NaN);
    this.put.fill(NaN);
    this.got.fill(NaN);
    this.notified = 0;
    this.gotCount = 0;
  }

  async close(): Promise<void> {
    this.ctl.abort();
    await Promise.race([Promise.all(this.clients.map((c) => c.destroy().catch(() => {}))), new Promise((r) => setTimeout(r, 1000).unref())]);
  }
}

function options(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      endpoints: { type: 'string' },
      count: { type: 'string' },
      key: { type: 'string', default: '/master' },
      'ego-key': { type: 'string', default: '/ego_conf' },
    },
    strict: true,
  });
  const endpoints = (values.endpoints ?? '').split(',').filter(Boolean);
  const n = Number(values.count);
  if (endpoints.length === 0 || !Number.isInteger(n) || n < 0) throw new Error('usage: bare-watchers --endpoints URLS --count N [--key K] [--ego-key K]');
  return { endpoints, count: n, key: values.key, egoKey: values['ego-key'] };
}

async function main(): Promise<number> {
  let o: Options;
  try {
    o = options(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`bare-watchers: ${(e as Error).message}\n`);
    return 2;
  }
  const floor = new Floor(o);
  const closed = new Promise<void>((resolve) => {
    const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
    rl.on('line', (line) => {
      try {
        const c = JSON.parse(line) as { cmd?: string; seq?: number };
        if (c.cmd === 'ping') out({ ev: 'pong', seq: c.seq });
        else if (c.cmd === 'report') floor.report();
      } catch {
        out({ ev: 'error', message: `bad command line: ${line.slice(0, 80)}` });
      }
    });
    rl.once('close', () => resolve());
  });
  void floor.start();
  await closed;
  await floor.close();
  return 0;
}

const code = await main();
// stdout is a pipe: let it drain before leaving
process.stdout.write('', () => process.exit(code));
