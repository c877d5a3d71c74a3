/**
 * What SshHost does with a host key (OpenSSH's StrictHostKeyChecking, in
 * the safe settings only): a known key connects; an unknown one is refused,
 * or recorded with `--accept-new-host-keys` (accept-new); a changed or
 * @revoked one is always refused. The known_hosts format is known-hosts.ts.
 *
 *   root@127.0.0.2:2222: HOST KEY CHANGED: the host now offers ssh-ed25519 SHA256:Xq3..., /root/.ssh/known_hosts:4 holds another ssh-ed25519 key; refusing to connect (...)
 */
import { SshError, oneLine } from '../../errors.ts';
import { checkHostKey, defaultKnownHostsFiles, fingerprint, hostKeyAlgorithmsPreferring, keyTypeOf, knownHostsName, knownKeyTypes, loadKnownHosts, recordHostKey, type HostKeyAlgorithm } from './known-hosts.ts';

export interface HostKeyOptions {
  /** known_hosts file to check and to record new keys in (created 0600 when missing); default ~/.ssh/known_hosts (+ known_hosts2, /etc/ssh/ssh_known_hosts) */
  knownHosts?: string;
  /** record first-seen host keys instead of refusing them (`--accept-new-host-keys`) */
  acceptNewHostKeys?: boolean;
}

/** The ssh2 `hostVerifier` for one connection attempt, and why it refused (null while it did not). */
export interface HostKeyCheck {
  verify: (key: Buffer, verify: (ok: boolean) => void) => void;
  /** host-key algorithms to offer: the types known_hosts has for this host first, as OpenSSH does */
  algorithms: HostKeyAlgorithm[];
  refusal: () => SshError | null;
}

/** Load known_hosts and build the verifier for `address:port` (errors name `host`, exit 2). */
export async function hostKeyCheck(host: string, address: string, port: number, opts: HostKeyOptions): Promise<HostKeyCheck> {
  const files = opts.knownHosts ? [opts.knownHosts] : defaultKnownHostsFiles();
  const entries = await loadKnownHosts(files);
  const recordTo = files[0];
  let refusal: SshError | null = null;
  const refuse = (message: string, cause?: unknown) => (refusal = new SshError(message, host, { exitCode: 2, cause }));

  const verify = (key: Buffer, done: (ok: boolean) => void): void => {
    const verdict = checkHostKey(entries, address, port, key);
    const what = `${keyTypeOf(key)} ${fingerprint(key)}`;
    if (verdict.status === 'known') return done(true);
    if (verdict.status === 'revoked') {
      refuse(`host key ${what} is marked @revoked in ${verdict.entry.file}:${verdict.entry.line}; refusing to connect`);
      return done(false);
    }
    if (verdict.status === 'changed') {
      const hkName = knownHostsName(address, port);
      refuse(
        `HOST KEY CHANGED: the host now offers ${what}, ${verdict.entry.file}:${verdict.entry.line} holds another ${verdict.entry.keyType} key; refusing to connect (if the change is expected: ssh-keygen -R '${hkName}' -f ${verdict.entry.file})`,
      );
      return done(false);
    }
    if (!opts.acceptNewHostKeys) {
      const also = verdict.knownTypes.length ? ` (known only with ${verdict.knownTypes.join(', ')})` : '';
      refuse(`unknown host key ${what}${also} in ${files.join(', ')}; check it, then run again with --accept-new-host-keys to record it`);
      return done(false);
    }
    recordHostKey(recordTo, address, port, key).then(
      () => done(true),
      (e) => {
        refuse(`could not record the host key in ${recordTo}: ${oneLine(e)}`, e);
        done(false);
      },
    );
  };
  return { verify, algorithms: hostKeyAlgorithmsPreferring(knownKeyTypes(entries, address, port)), refusal: () => refusal };
}
