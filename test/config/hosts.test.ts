import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../src/errors.ts';
import { defaultLocalHost, parseHost, parseHostsFile } from '../../src/config/hosts.ts';

const FILE = 'conf/agent-ips.conf';

/** the ConfigError message of parsing `text`, which must fail */
function errorOf(text: string): string {
  try {
    parseHostsFile(text, FILE);
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${String(e)}`);
    assert.equal(e.exitCode, 2);
    assert.ok(!e.message.includes('\n'), 'one line');
    return e.message;
  }
  assert.fail(`expected ${JSON.stringify(text)} to be rejected`);
}

describe('parseHost', () => {
  it('reads the local spellings as this machine', () => {
    for (const name of ['localhost', 'LOCALHOST', '127.0.0.1', '::1', '[::1]']) {
      const h = parseHost(name);
      assert.equal(h.local, true, name);
      assert.equal(h.user, undefined);
      assert.equal(h.port, 22);
    }
    assert.equal(parseHost('[::1]').address, '::1');
  });

  it('reads a user or a port as SSH, even to a local address', () => {
    assert.deepEqual(parseHost('root@127.0.0.1'), { name: 'root@127.0.0.1', user: 'root', address: '127.0.0.1', port: 22, local: false });
    assert.deepEqual(parseHost('root@localhost'), { name: 'root@localhost', user: 'root', address: 'localhost', port: 22, local: false });
    assert.deepEqual(parseHost('localhost:2222'), { name: 'localhost:2222', address: 'localhost', port: 2222, local: false });
    assert.deepEqual(parseHost('root@::1'), { name: 'root@::1', user: 'root', address: '::1', port: 22, local: false });
  });

  it('reads the shapes of an SSH host', () => {
    assert.deepEqual(parseHost('root@10.0.0.5'), { name: 'root@10.0.0.5', user: 'root', address: '10.0.0.5', port: 22, local: false });
    assert.deepEqual(parseHost('root@127.0.0.2:2222'), { name: 'root@127.0.0.2:2222', user: 'root', address: '127.0.0.2', port: 2222, local: false });
    assert.deepEqual(parseHost('10.0.0.6'), { name: '10.0.0.6', address: '10.0.0.6', port: 22, local: false });
    assert.deepEqual(parseHost('deploy@[fd00::5]:2200'), { name: 'deploy@[fd00::5]:2200', user: 'deploy', address: 'fd00::5', port: 2200, local: false });
    assert.deepEqual(parseHost('fd00::5'), { name: 'fd00::5', address: 'fd00::5', port: 22, local: false });
    assert.deepEqual(parseHost('ci-runner_2.eng.example.com'), { name: 'ci-runner_2.eng.example.com', address: 'ci-runner_2.eng.example.com', port: 22, local: false });
    assert.equal(parseHost('a.b@host').user, 'a.b');
  });
});

describe('parseHostsFile', () => {
  it('Given the seed format with comments and blanks, Then it lists the hosts with their lines', () => {
    const text = ['# masters', '', 'localhost   # this machine', '   ', 'root@127.0.0.2:2222', '\troot@10.0.0.5#trailing', '# end'].join('\n');
    const hosts = parseHostsFile(text, FILE);
    assert.deepEqual(
      hosts.map((h) => [h.name, h.line, h.local, h.file]),
      [
        ['localhost', 3, true, FILE],
        ['root@127.0.0.2:2222', 5, false, FILE],
        ['root@10.0.0.5', 6, false, FILE],
      ],
    );
  });

  it('accepts CRLF line ends and a BOM', () => {
    const hosts = parseHostsFile('\uFEFFlocalhost\r\nroot@10.0.0.5\r\n', FILE);
    assert.deepEqual(
      hosts.map((h) => [h.name, h.line]),
      [
        ['localhost', 1],
        ['root@10.0.0.5', 2],
      ],
    );
  });

  it('gives no hosts for an empty or all-comment file', () => {
    assert.deepEqual(parseHostsFile('', FILE), []);
    assert.deepEqual(parseHostsFile('# nothing\n\n', FILE), []);
  });

  it('names file:line and the reason for each kind of bad line', () => {
    const cases: Array<[string, RegExp]> = [
      ['10.0.0.1 10.0.0.2', /one host per line/],
      ['root@@x', /more than one "@"/],
      ['@10.0.0.1', /empty user/],
      ['ro ot@x', /one host per line/],
      ['r$t@10.0.0.1', /"r\$t" is not a valid user name/],
      ['root@10.0.0.1:0', /port must be 1\.\.65535, got "0"/],
      ['root@10.0.0.1:65536', /port must be 1\.\.65535/],
      ['root@10.0.0.1:ssh', /port must be 1\.\.65535, got "ssh"/],
      ['root@10.0.0.1:', /port must be 1\.\.65535, got ""/],
      ['root@', /no host name/],
      [':22', /no host name/],
      ['10.0.0.256', /"10\.0\.0\.256" is not an IPv4 address/],
      ['10.0.0', /not an IPv4 address/],
      ['host_-.', /not a valid host name/],
      ['-bad.example.com', /not a valid host name/],
      ['fd00::zz', /not an IPv6 address \(write \[addr\]:port/],
      ['[fd00::5', /missing "\]"/],
      ['[10.0.0.1]:22', /"10\.0\.0\.1" is not an IPv6 address/],
      ['[::1]x', /unexpected "x" after "\]"/],
    ];
    for (const [line, reason] of cases) {
      const msg = errorOf(`localhost\n# comment\n${line}  # trailing\n`);
      assert.ok(msg.startsWith(`${FILE}:3: bad host `), `${line}: ${msg}`);
      assert.match(msg, reason, line);
    }
  });

  it('refuses an IPv6 address whose last group could be a port, naming the bracket form (issue 9)', () => {
    assert.equal(
      errorOf('localhost\n# comment\nuser@fe80::1:22\n'),
      `${FILE}:3: "user@fe80::1:22" is ambiguous: write an IPv6 address with a port as user@[fe80::1]:22, or the address alone as user@[fe80::1:22]`,
    );
    assert.match(errorOf('::1:2222\n'), /^conf\/agent-ips\.conf:1: "::1:2222" is ambiguous: write an IPv6 address with a port as \[::1\]:2222, or /);
    // the bracket forms, and bare addresses whose last group is no port, are fine
    assert.deepEqual(parseHost('user@[fe80::1]:22'), { name: 'user@[fe80::1]:22', user: 'user', address: 'fe80::1', port: 22, local: false });
    assert.deepEqual(parseHost('user@fe80::1'), { name: 'user@fe80::1', user: 'user', address: 'fe80::1', port: 22, local: false });
    assert.deepEqual(parseHost('user@[fe80::1:22]'), { name: 'user@[fe80::1:22]', user: 'user', address: 'fe80::1:22', port: 22, local: false });
    assert.equal(parseHost('2001:db8::1').address, '2001:db8::1');
    assert.equal(parseHost('fd00::1:abcd').address, 'fd00::1:abcd');
    assert.equal(parseHost('2001:db8:0:0:0:0:0:22').address, '2001:db8:0:0:0:0:0:22', 'a full 8-group address is not ambiguous');
  });

  it('rejects a host listed twice in one file, naming both lines', () => {
    assert.equal(
      errorOf('root@10.0.0.5\n\nroot@10.0.0.5:22\n'),
      `${FILE}:3: duplicate host "root@10.0.0.5:22": same host as line 1 ("root@10.0.0.5")`,
    );
    assert.match(errorOf('localhost\n127.0.0.1\n'), /^conf\/agent-ips\.conf:2: duplicate host "127\.0\.0\.1": same host as line 1 \("localhost"\) \(both mean this machine\)$/);
    assert.match(errorOf('a.example.com\nA.EXAMPLE.COM\n'), /:2: duplicate host/);
  });

  it('keeps different users or ports of one address apart', () => {
    const hosts = parseHostsFile('root@127.0.0.2:2222\nroot@127.0.0.2:2223\nbench@127.0.0.2:2222\n127.0.0.1\nroot@127.0.0.1\n', FILE);
    assert.equal(hosts.length, 5);
  });

  it('defaults to this machine', () => {
    assert.deepEqual(defaultLocalHost(FILE), { name: 'localhost', address: 'localhost', port: 22, local: true, line: 0, file: FILE });
  });
});
