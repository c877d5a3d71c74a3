/**
 * The Prometheus text format as etcd 3.4.23 serves it on /metrics (lines
 * below are copied from a real member), parsed without a server.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parsePrometheusText, parseSampleLine, parseValue, sampleValue } from '../../src/etcd/prometheus.ts';

const ETCD_3_4_23 = `# HELP etcd_debugging_lease_ttl_total Bucketed histogram of lease TTLs.
# TYPE etcd_debugging_lease_ttl_total histogram
etcd_debugging_lease_ttl_total_bucket{le="1"} 0
etcd_debugging_lease_ttl_total_bucket{le="1.048576e+06"} 0
etcd_debugging_lease_ttl_total_bucket{le="+Inf"} 3
etcd_debugging_lease_ttl_total_sum 6
etcd_debugging_lease_ttl_total_count 3
# HELP etcd_debugging_server_lease_expired_total The total number of expired leases.
# TYPE etcd_debugging_server_lease_expired_total counter
etcd_debugging_server_lease_expired_total 2
# HELP etcd_server_leader_changes_seen_total The number of leader changes seen.
# TYPE etcd_server_leader_changes_seen_total counter
etcd_server_leader_changes_seen_total 1
# HELP etcd_server_version Which version is running. 1 for 'server_version' label with current version.
# TYPE etcd_server_version gauge
etcd_server_version{server_version="3.4.23"} 1
# TYPE go_memstats_heap_released_bytes gauge
go_memstats_heap_released_bytes 2.080768e+06
`;

describe('Prometheus text format', () => {
  it('Given etcd 3.4.23 /metrics text, Then types, samples, labels and exponent values are read', () => {
    const e = parsePrometheusText(ETCD_3_4_23);
    assert.equal(e.skipped, 0);
    assert.equal(e.types.etcd_server_leader_changes_seen_total, 'counter');
    assert.equal(e.types.etcd_debugging_lease_ttl_total, 'histogram');
    assert.equal(sampleValue(e, 'etcd_debugging_server_lease_expired_total'), 2);
    assert.equal(sampleValue(e, 'etcd_server_leader_changes_seen_total'), 1);
    assert.equal(sampleValue(e, 'go_memstats_heap_released_bytes'), 2080768);
    assert.deepEqual(e.samples.find((s) => s.name === 'etcd_server_version'), { name: 'etcd_server_version', labels: { server_version: '3.4.23' }, value: 1 });
    assert.equal(e.samples.filter((s) => s.name === 'etcd_debugging_lease_ttl_total_bucket').at(-1)?.labels.le, '+Inf');
    assert.equal(sampleValue(e, 'etcd_no_such_metric'), null);
  });

  it('special values, escaped label values, timestamps; malformed lines are counted, not thrown', () => {
    assert.equal(parseValue('+Inf'), Infinity);
    assert.equal(parseValue('-Inf'), -Infinity);
    assert.ok(Number.isNaN(parseValue('NaN')));
    assert.equal(parseValue('1e3'), 1000);
    assert.equal(parseValue('abc'), null);
    assert.deepEqual(parseSampleLine('m{path="/a\\"b\\\\c\\n",code="200"} 7 1700000000000'), { name: 'm', labels: { path: '/a"b\\c\n', code: '200' }, value: 7 });
    assert.deepEqual(parseSampleLine('m{} 3'), { name: 'm', labels: {}, value: 3 });
    const e = parsePrometheusText('good 1\nbad{x="1" 2\n9starts_with_digit 3\nno_value\nm 1 2 3\n');
    assert.equal(e.samples.length, 1);
    assert.equal(e.skipped, 4);
  });
});
