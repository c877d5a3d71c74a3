/** Entry of the worker bundle: `node worker-<hash>.mjs master|agents N|clock|signal ...`. */
import { runWorker } from './worker.ts';

const code = await runWorker(process.argv.slice(2));
// stdout is a pipe: let it drain before leaving
process.stdout.write('', () => process.exit(code));
