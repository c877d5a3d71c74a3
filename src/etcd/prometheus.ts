/**
 * The Prometheus text exposition format (version 0.0.4), as etcd serves it
 * on `/metrics`: parsed into samples, pure. Only what reading counters and
 * gauges needs: `# TYPE` lines, samples with labels, the special values.
 *
 *   # TYPE etcd_server_leader_changes_seen_total counter
 *   etcd_server_leader_changes_seen_total 1
 *   etcd_debugging_lease_ttl_total_bucket{le="+Inf"} 0
 *   -> {types: {etcd_server_leader_changes_seen_total: 'counter'},
 *       samples: [{name: 'etcd_server_leader_changes_seen_total', labels: {}, value: 1}, ...]}
 *
 * Malformed lines are skipped and counted (`skipped`), never thrown: a
 * metric we cannot read must not cost the run its results.
 */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  /** +Inf, -Inf and NaN are kept as such */
  value: number;
}

export interface Exposition {
  /** metric family name -> type from `# TYPE` (counter, gauge, histogram, summary, untyped) */
  types: Record<string, string>;
  samples: Sample[];
  /** lines that were neither a comment nor a readable sample */
  skipped: number;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;

/** A sample value: a float as Go prints it, or +Inf, -Inf, NaN. null when it is none. */
export function parseValue(text: string): number | null {
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) return null;
  return Number(text);
}

/** `{a="x",b="y\"z"}` starting at s[i] === '{': the labels and the index after '}'; null when malformed. */
function parseLabels(s: string, i: number): { labels: Record<string, string>; end: number } | null {
  const labels: Record<string, string> = {};
  let p = i + 1;
  for (;;) {
    while (s[p] === ' ' || s[p] === ',') p++;
    if (s[p] === '}') return { labels, end: p + 1 };
    const name = NAME.exec(s.slice(p))?.[0];
    if (!name || s[p + name.length] !== '=' || s[p + name.length + 1] !== '"') return null;
    p += name.length + 2;
    let value = '';
    for (;;) {
      const c = s[p];
      if (c === undefined) return null;
      if (c === '"') break;
      if (c === '\\') {
        const n = s[p + 1];
        value += n === 'n' ? '\n' : (n ?? '');
        p += 2;
      } else {
        value += c;
        p++;
      }
    }
    labels[name] = value;
    p++;
  }
}

/** One sample line, or null when it is none. */
export function parseSampleLine(line: string): Sample | null {
  const name = NAME.exec(line)?.[0];
  if (!name) return null;
  let rest = line.slice(name.length);
  let labels: Record<string, string> = {};
  if (rest.startsWith('{')) {
    const l = parseLabels(line, name.length);
    if (!l) return null;
    labels = l.labels;
    rest = line.slice(l.end);
  }
  // value, then an optional timestamp
  const fields = rest.trim().split(/\s+/);
  if (fields.length < 1 || fields.length > 2 || fields[0] === '') return null;
  const value = parseValue(fields[0]);
  return value === null ? null : { name, labels, value };
}

/** Parse a whole /metrics body. */
export function parsePrometheusText(text: string): Exposition {
  const types: Record<string, string> = {};
  const samples: Sample[] = [];
  let skipped = 0;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    if (line.startsWith('#')) {
      const m = /^#\s+TYPE\s+(\S+)\s+(\S+)/.exec(line);
      if (m) types[m[1]] = m[2];
      continue;
    }
    const s = parseSampleLine(line);
    if (s) samples.push(s);
    else skipped++;
  }
  return { types, samples, skipped };
}

/** The value of the sample of `name` with no labels (or the first one), or null when absent. */
export function sampleValue(e: Exposition, name: string): number | null {
  let first: number | null = null;
  for (const s of e.samples) {
    if (s.name !== name) continue;
    if (Object.keys(s.labels).length === 0) return s.value;
    first ??= s.value;
  }
  return first;
}
