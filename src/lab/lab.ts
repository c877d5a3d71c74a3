/**
 * A run's lab: N network namespaces, each with a veth link to the host and
 * its own /30 (./addresses.ts), owned by this process (./owner.ts) and
 * removed by remove(), or by the exit hook when the process exits without it
 * (an uncaught error, process.exit, a signal nobody handles); a SIGKILL
 * leaves them to the next start's sweep. The owner file and the hook come
 * before the first namespace exists.
 *
 *   const lab = await NetnsLab.create('20261129-220411-3a4b', 3);
 *   lab.spaces[0]   // {name: 'eeb-3f2a9c1b-1', hostAddr: '198.18.37.1', nsAddr: '198.18.37.2'}
 *   await lab.cut('eeb-3f2a9c1b-1');  await lab.heal('eeb-3f2a9c1b-1');
 *   await lab.remove();
 */
import { onExit } from 'signal-exit';
import { BenchError, oneLine } from '../errors.ts';
import { createVethNs, deleteNs, deleteNsSync, freeBlocks, labName, linkDown, linkUp, netnsUnavailable, type VethNs } from './netns.ts';
import { labDir, removeOwner, runShort, writeOwner } from './owner.ts';

export interface LabOptions {
  /** where owner files go (default labDir()) */
  dir?: string;
}

export class NetnsLab {
  private readonly made: VethNs[] = [];
  private unhook: (() => void) | null;
  private removing: Promise<void> | null = null;

  private constructor(
    readonly runId: string,
    readonly short: string,
    private readonly dir: string,
  ) {
    writeOwner(dir, short, runId);
    // armed before the first namespace: whatever exists of the lab goes with the process
    this.unhook = onExit(() => {
      deleteNsSync(this.names());
      removeOwner(dir, short);
    });
  }

  /**
   * Make `count` namespaces for run `runId`. Throws a BenchError when
   * namespaces are unavailable (not root, no `ip`) or one cannot be made;
   * then nothing of the lab is left.
   */
  static async create(runId: string, count: number, o: LabOptions = {}): Promise<NetnsLab> {
    const why = netnsUnavailable();
    if (why) throw new BenchError(why);
    if (count < 1 || count > 99) throw new BenchError(`a lab holds 1..99 namespaces, not ${count}`);
    const lab = new NetnsLab(runId, runShort(runId), o.dir ?? labDir());
    try {
      const blocks = await freeBlocks(count);
      for (let k = 1; k <= count; k++) {
        const name = labName(lab.short, k);
        // recorded before it exists: a failure half-way through still removes it
        lab.made.push({ name, hostAddr: blocks[k - 1]!.host, nsAddr: blocks[k - 1]!.ns });
        await createVethNs(name, blocks[k - 1]!);
      }
    } catch (e) {
      await lab.remove();
      throw new BenchError(`cannot set up the network namespaces: ${oneLine(e)}`, { cause: e });
    }
    return lab;
  }

  get spaces(): readonly VethNs[] {
    return this.made;
  }

  names(): string[] {
    return this.made.map((s) => s.name);
  }

  private known(name: string): string {
    if (!this.made.some((s) => s.name === name)) throw new BenchError(`no namespace ${name} in this run's lab`);
    return name;
  }

  /** Cut namespace `name` off (its link down); control time right after. */
  cut(name: string): Promise<number> {
    return linkDown(this.known(name));
  }

  /** Bring namespace `name`'s link back; control time right after. */
  heal(name: string): Promise<number> {
    return linkUp(this.known(name));
  }

  /** Delete every namespace and link of the lab and its owner file; idempotent. */
  remove(): Promise<void> {
    this.removing ??= (async () => {
      await deleteNs(this.names());
      removeOwner(this.dir, this.short);
      this.unhook?.();
      this.unhook = null;
    })();
    return this.removing;
  }
}
