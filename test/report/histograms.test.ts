import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeFromCompressedBase64 } from 'hdr-histogram-js';
import { foldEvents } from '../../src/report/timeline.ts';
import { runHistograms } from '../../src/report/histograms.ts';
import { decodeHistogram } from '../../src/stats/hdr.ts';
import { agents, roundEvents, T0 } from './fixtures.ts';

describe('runHistograms', () => {
  const ev = [
    ...roundEvents({ round: 1, tf: T0, old: 'm1', winner: 'm2', detect: 1900, elected: 1910, agents: agents(30, ['h1', 'h2'], 1890) }),
    ...roundEvents({ round: 2, tf: T0 + 9000, old: 'm2', winner: 'm3', detect: 2100, elected: 2112, agents: agents(30, ['h1', 'h2'], 2090) }),
  ];
  const f = foldEvents(ev);
  const run = { timelines: f.timelines, rounds: f.timelines.flatMap((t) => (t.result ? [t.result] : [])) };

  it('Given two rounds, Then per round, per host and overall histograms decode with the library to the right counts', () => {
    const h = runHistograms(run);
    assert.equal(h.unit, 'us');
    const dec = (name: string) => decodeFromCompressedBase64(h.histograms[name], 32, false);
    assert.equal(dec('round-1/agentNotifyMs').totalCount, 30);
    assert.equal(dec('all/agentNotifyMs').totalCount, 60);
    assert.equal(dec('host-h1/agentNotifyMs').totalCount + dec('host-h2/agentNotifyMs').totalCount, 60);
    assert.equal(dec('all/failoverMs').totalCount, 2);
    assert.ok(Math.abs(dec('all/failoverMs').maxValue - 2_112_000) <= 2112, 'µs, within 3 significant digits');
    // the rounds merged are the whole run
    const merged = decodeHistogram(h.histograms['round-1/agentNotifyMs']);
    merged.add(decodeHistogram(h.histograms['round-2/agentNotifyMs']));
    assert.equal(merged.getValueAtPercentile(50), dec('all/agentNotifyMs').getValueAtPercentile(50));
    assert.deepEqual(h.negativeSkipped, {});
  });

  it('leaves out negative samples (clock offset) and counts them', () => {
    const skewed = { ...run, timelines: run.timelines.map((t) => ({ ...t, notifyMs: [...t.notifyMs, -3], notifyByHost: {} })) };
    const h = runHistograms(skewed);
    assert.equal(h.negativeSkipped['all/agentNotifyMs'], 2);
    assert.equal(decodeFromCompressedBase64(h.histograms['all/agentNotifyMs'], 32, false).totalCount, 60);
  });
});
