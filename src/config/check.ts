/**
 * The settings judged together (each value alone is settings.ts's job): a
 * conflict is one ConfigError blamed on the later-given of its two sources
 * (a flag beats the file, the file beats a default); what is allowed but
 * probably unintended comes back as a warning.
 *
 *   --refresh: refresh must be shorter than ttl, or the key expires between keep-alives: refresh = 3, ttl = 2 (conf/bench.conf:3)
 */
import { ConfigError } from '../errors.ts';
import { agentModeConflict, confName, pauseSeconds, settingToRaw, type SettingKey, type Settings, type Sources } from './settings.ts';

const RANK = (where: string): number => (where.startsWith('--') ? 2 : where === 'default' ? 0 : 1);

/** where to blame a conflict of a with b: the later-given source (flag > file > default); a on a tie */
function blame(sources: Sources, a: SettingKey, b: SettingKey): SettingKey {
  return RANK(sources[b]) > RANK(sources[a]) ? b : a;
}

/** "ttl = 2 (conf/bench.conf:3)"; the source is left out when the message already starts with it */
function shown(s: Settings, sources: Sources, key: SettingKey, withSource = true): string {
  const value = `${confName(key)} = ${settingToRaw(key, s[key])}`;
  return withSource ? `${value} (${sources[key]})` : value;
}

function conflict(s: Settings, sources: Sources, a: SettingKey, b: SettingKey, text: string): ConfigError {
  const k = blame(sources, a, b);
  const where = sources[k] === 'default' ? undefined : sources[k];
  return new ConfigError(`${text}: ${shown(s, sources, a, a !== k)}, ${shown(s, sources, b, b !== k)}`, where);
}

/**
 * Judge the values together; throws the first conflict as a ConfigError at
 * the most recently given of the two sources (a flag beats the file).
 * Returns warnings: allowed, but probably not what the operator wants.
 */
export function checkSettings(s: Settings, sources: Sources): string[] {
  if (s.refresh >= s.ttl) throw conflict(s, sources, 'refresh', 'ttl', 'refresh must be shorter than ttl, or the key expires between keep-alives');
  if (s.roundTimeout <= s.ttl) throw conflict(s, sources, 'roundTimeout', 'ttl', 'round_timeout must be longer than ttl, or no kill round can finish');
  if ((s.fault === 'pause' || s.fault === 'partition') && pauseSeconds(s) >= s.roundTimeout) {
    throw conflict(s, sources, 'pause', 'roundTimeout', `the ${s.fault} fault must end before round_timeout`);
  }
  if (s.masterPath === s.egoKey || s.egoKey.startsWith(`${s.masterPath}/`) || s.masterPath.startsWith(`${s.egoKey}/`)) {
    throw conflict(s, sources, 'egoKey', 'masterPath', 'ego_key and master_path must be separate keys, neither inside the other');
  }
  if (s.fault === 'etcd-leader' && s.endpoints !== 'embedded') {
    throw conflict(s, sources, 'fault', 'endpoints', 'the etcd-leader fault needs the embedded cluster (it kills and restarts a member)');
  }
  if (s.fault === 'partition' && s.endpoints !== 'embedded') {
    throw conflict(s, sources, 'fault', 'endpoints', "the partition fault needs the embedded cluster (it listens on the links of the masters' network namespaces)");
  }
  const modeConflict = agentModeConflict(s.agentMode, s.backend);
  if (modeConflict) throw conflict(s, sources, 'agentMode', 'backend', modeConflict);

  const warnings: string[] = [];
  if (s.ttl < 2 && s.backend !== 'v2-ttl') {
    warnings.push(`${shown(s, sources, 'ttl')}: etcd silently raises lease TTLs below its minimum (2 s with default timing), so failover will behave as ttl = 2`);
  }
  if ((s.fault === 'pause' || s.fault === 'partition') && pauseSeconds(s) <= s.ttl) {
    warnings.push(`${shown(s, sources, 'pause')}: a ${s.fault} not longer than ttl lets the master keep its key; expect no failover`);
  }
  return warnings;
}
