/**
 * What opens above the status line: the y/n dialog of a destructive key
 * (kill, stop all, clean, quit) or the rounds prompt, drawn from the mode
 * and the state; keys reach them through the key table (dialog and prompt
 * modes), never through a handler of their own.
 *
 *   <Dialogs mode="kill" masters={state.masters} activeMaster="m1" masterPath="/master" rounds={input} roundsFault="kill" width={100} />
 *   // ╭ Kill the active master?  SIGKILL m1 (pid 101 on localhost) and time the failover ╮
 */
import type { MasterRow } from '../src/store/index.ts';
import { ConfirmDialog, CONFIRM_DIALOG_HEIGHT } from './ConfirmDialog.tsx';
import { RoundsPrompt, ROUNDS_PROMPT_HEIGHT, type RoundsInput } from './RoundsPrompt.tsx';
import { isConfirm, type Confirm, type Mode } from './hooks/use-mode.ts';

export interface ConfirmText {
  title: string;
  message: string;
  /** what `y` does */
  confirmLabel: string;
}

/** The question each y/n dialog asks. */
export function confirmText(which: Confirm, masters: readonly MasterRow[], activeMaster: string | null, masterPath: string): ConfirmText {
  if (which === 'kill') {
    const active = masters.find((m) => m.id === activeMaster);
    return {
      title: 'Kill the active master?',
      message: active ? `SIGKILL ${active.id} (pid ${active.pid ?? '?'} on ${active.host}) and time the failover` : 'no active master is known; the bench will say so',
      confirmLabel: 'kill',
    };
  }
  if (which === 'stop') return { title: 'Stop all workers?', message: 'every master and agent on every host', confirmLabel: 'stop all' };
  if (which === 'clean') return { title: "Delete the benchmark's keys?", message: `${masterPath}, ego_conf and the seed-layout records in etcd`, confirmLabel: 'delete' };
  return { title: 'Quit: stop the workers?', message: 'workers are still running on the hosts; none outlives the console', confirmLabel: 'stop them and quit' };
}

/** Lines the open dialog or prompt takes (0: none open). */
export function dialogHeight(mode: Mode): number {
  return isConfirm(mode) ? CONFIRM_DIALOG_HEIGHT : mode === 'rounds' ? ROUNDS_PROMPT_HEIGHT : 0;
}

export interface DialogsProps {
  mode: Mode;
  masters: readonly MasterRow[];
  activeMaster: string | null;
  masterPath: string;
  rounds: RoundsInput;
  /** the fault `r` runs, for the prompt's wording */
  roundsFault: string;
  width: number;
}

export function Dialogs({ mode, masters, activeMaster, masterPath, rounds, roundsFault, width }: DialogsProps) {
  if (mode === 'rounds') return <RoundsPrompt input={rounds} fault={roundsFault} width={width} />;
  if (!isConfirm(mode)) return null;
  return <ConfirmDialog {...confirmText(mode, masters, activeMaster, masterPath)} width={width} />;
}
