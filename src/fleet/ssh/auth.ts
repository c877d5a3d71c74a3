/**
 * What an SSH connection authenticates with: never a password, only an
 * ssh-agent and private key files. Keys with a passphrase are skipped (they
 * belong in ssh-agent); what was tried and skipped goes into the messages.
 *
 *   authPlan('root@127.0.0.2:2222', 'root', { identity: '/root/.ssh/bench_ed25519' })
 *   // { methods: [{type:'publickey',...}, {type:'agent',...}], tried: ['/root/.ssh/bench_ed25519', 'ssh-agent'], skipped: [] }
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import type { AnyAuthMethod } from 'ssh2';
import { SshError, oneLine } from '../../errors.ts';

const { utils } = ssh2;

export interface AuthOptions {
  /** private key file; when given, the default ~/.ssh/id_* files are not tried */
  identity?: string;
  /** ssh-agent socket; default $SSH_AUTH_SOCK; false = do not use an agent */
  agent?: string | false;
}

export interface AuthPlan {
  methods: AnyAuthMethod[];
  /** what is tried, for messages: `ssh-agent`, `/root/.ssh/id_ed25519` */
  tried: string[];
  /** what could not be used, with why: `/root/.ssh/id_rsa (encrypted: load it into ssh-agent)` */
  skipped: string[];
}

/** A key file as a publickey method, or why it cannot be one. */
function keyMethod(file: string, user: string): AnyAuthMethod | string {
  let text: Buffer;
  try {
    text = readFileSync(file);
  } catch (e) {
    return `${file} (${oneLine(e)})`;
  }
  const parsed = utils.parseKey(text);
  if (parsed instanceof Error) {
    // passphrases are never asked for: such keys belong in ssh-agent
    return /encrypt|passphrase/i.test(parsed.message) ? `${file} (encrypted: load it into ssh-agent)` : `${file} (${parsed.message})`;
  }
  return { type: 'publickey', username: user, key: text };
}

/**
 * The methods to offer, in order: an explicit identity first (an agent full
 * of keys can hit sshd's MaxAuthTries), then the agent; without one, the
 * agent, then ~/.ssh/id_ed25519, id_ecdsa, id_rsa. Throws SshError (exit 2)
 * naming `host` when the identity file is missing or nothing is usable.
 */
export function authPlan(host: string, user: string, opts: AuthOptions): AuthPlan {
  const plan: AuthPlan = { methods: [], tried: [], skipped: [] };
  const agent = opts.agent === false ? undefined : (opts.agent ?? process.env.SSH_AUTH_SOCK);
  const useAgent = () => {
    if (!agent || !existsSync(agent)) return;
    plan.methods.push({ type: 'agent', username: user, agent });
    plan.tried.push('ssh-agent');
  };
  const explicit = opts.identity;
  if (!explicit) useAgent();
  if (explicit && !existsSync(explicit)) throw new SshError(`identity file ${explicit} not found`, host, { exitCode: 2 });
  const files = explicit ? [explicit] : ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((f) => join(homedir(), '.ssh', f)).filter((f) => existsSync(f));
  for (const file of files) {
    const m = keyMethod(file, user);
    if (typeof m === 'string') plan.skipped.push(m);
    else {
      plan.methods.push(m);
      plan.tried.push(file);
    }
  }
  if (explicit) useAgent();
  if (plan.methods.length === 0) {
    const skipped = plan.skipped.length ? `; skipped ${plan.skipped.join(', ')}` : '';
    throw new SshError(
      `no SSH credentials: no ssh-agent (SSH_AUTH_SOCK) and no usable key (${explicit ?? '~/.ssh/id_ed25519, id_ecdsa, id_rsa'})${skipped}; set identity in bench.conf or start ssh-agent`,
      host,
      { exitCode: 2 },
    );
  }
  return plan;
}
