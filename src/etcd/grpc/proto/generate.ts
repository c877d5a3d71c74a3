/**
 * Turns the .proto files beside this module into descriptor.json, the form
 * protos.ts loads: the worker is one bundled file on hosts that have no
 * .proto files (src/fleet/bundle.ts), and JSON is bundled as it is.
 * test/etcd/grpc-protos.test.ts checks that descriptor.json matches.
 *
 *   npx tsx src/etcd/grpc/proto/generate.ts     # rewrites descriptor.json
 *
 * descriptor.json is protobufjs's JSON form: {"nested":{"etcdserverpb":{"nested":{"KV":{"methods":{"Range":...
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

const here = dirname(fileURLToPath(import.meta.url));
export const DESCRIPTOR_PATH = join(here, 'descriptor.json');

/** The descriptor of rpc.proto (and the kv.proto it imports), as JSON text. */
export function descriptorText(): string {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => join(here, target.replace(/^.*\//, ''));
  root.loadSync('rpc.proto', { keepCase: true });
  return JSON.stringify(root.toJSON(), null, 1) + '\n';
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(DESCRIPTOR_PATH, descriptorText());
  process.stdout.write(`wrote ${DESCRIPTOR_PATH}\n`);
}
