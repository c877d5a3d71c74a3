/** Entry of the worker bundle: `node worker-<hash>.mjs master|agents N|clock|signal ...`. */
import { flushOut, runWorker } from './worker.ts';

const code = await runWorker(process.argv.slice(2));
flushOut();
// stdout is a pipe: let it drain before leaving
process.stdout.write('', () => process.exit(code));
