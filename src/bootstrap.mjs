// First-run bootstrap, Node built-ins only: it runs before node_modules exists.
// It installs the npm dependencies when they are missing and makes sure the
// system tools are there (etcd for the embedded cluster; sshd and tmux for
// the tests): installed with apt-get when we are root, otherwise it says
// exactly what to install and exits 2.
//
//   node src/bootstrap.mjs --check        used by `npm test`
//   import { ensureReady } from './bootstrap.mjs'   used by src/bin.mjs
import { spawnSync } from 'node:child_process';
import { existsSync, accessSync, constants } from 'node:fs';
import { dirname, join, delimiter } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = dirname(dirname(fileURLToPath(import.meta.url)));

/**
 * Absolute path of an executable on PATH (plus the sbin dirs and `extra`), or null.
 * @param {string} cmd
 * @param {string[]} [extra]
 * @returns {string | null}
 */
export function which(cmd, extra = []) {
  const dirs = (process.env.PATH ?? '').split(delimiter).concat(['/usr/sbin', '/sbin', '/usr/local/sbin'], extra);
  for (const d of dirs) {
    if (!d) continue;
    const p = join(d, cmd);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      /* keep looking */
    }
  }
  return null;
}

function say(msg) {
  process.stderr.write(`etcd-election-bench: ${msg}\n`);
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], cwd: root, ...opts });
  return r.status === 0;
}

function ensureNodeModules() {
  const marker = join(root, 'node_modules', '.package-lock.json');
  if (existsSync(marker) && existsSync(join(root, 'node_modules', 'tsx'))) return;
  say('installing npm dependencies (first run)...');
  const npm = which('npm');
  if (!npm) {
    say('npm is not on PATH; install Node.js 20 with npm, then run `npm ci` in ' + root);
    process.exit(2);
  }
  const lock = existsSync(join(root, 'package-lock.json'));
  // stdout of npm goes to stderr so that `run --json -` output stays clean.
  const ok = run(npm, [lock ? 'ci' : 'install', '--no-audit', '--no-fund'], { stdio: ['ignore', 2, 2] });
  if (!ok) {
    say(`\`npm ${lock ? 'ci' : 'install'}\` failed in ${root}; fix the error above and run it again`);
    process.exit(2);
  }
}

const APT = {
  etcd: ['etcd-server', 'etcd-client'],
  etcdctl: ['etcd-client'],
  sshd: ['openssh-server'],
  'ssh-keygen': ['openssh-client'],
  tmux: ['tmux'],
  chromium: ['chromium'],
  ip: ['iproute2'],
};

function ensureTools(tools) {
  const missing = tools.filter((t) => !which(t));
  if (missing.length === 0) return;
  const pkgs = [...new Set(missing.flatMap((t) => APT[t] ?? [t]))];
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const aptGet = which('apt-get');
  if (isRoot && aptGet) {
    say(`installing ${pkgs.join(' ')} with apt-get (missing: ${missing.join(', ')})...`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const out = { stdio: ['ignore', 2, 2], env };
    if (!run(aptGet, ['update', '-qq'], out) || !run(aptGet, ['install', '-y', '-qq', ...pkgs], out)) {
      say(`apt-get could not install ${pkgs.join(' ')}; install them by hand and run again`);
      process.exit(2);
    }
    const still = tools.filter((t) => !which(t));
    if (still.length === 0) return;
    say(`still missing after apt-get: ${still.join(', ')}`);
    process.exit(2);
  }
  say(`missing ${missing.join(', ')}. Install them first:  sudo apt-get install -y ${pkgs.join(' ')}`);
  process.exit(2);
}

/**
 * @param {{ etcd?: boolean, testTools?: boolean }} need
 */
export function ensureReady(need = {}) {
  ensureNodeModules();
  const tools = [];
  if (need.etcd || need.testTools) tools.push('etcd', 'etcdctl');
  // the report renders in a real headless browser; partitions use network namespaces
  if (need.testTools) tools.push('sshd', 'ssh-keygen', 'tmux', 'chromium', 'ip');
  ensureTools(tools);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes('--check')) ensureReady({ etcd: true, testTools: true });
}
