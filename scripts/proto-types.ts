/**
 * Writes src/protocols/mlflow/messages.ts: a TypeScript interface for every message, a string
 * union for every enum, and a method map for every service of the .proto files, in the shape the
 * codec decodes requests into and encodes responses from.
 *
 *   npx tsx scripts/proto-types.ts          regenerate the file
 *   npx tsx scripts/proto-types.ts --check  exit 1 when the committed file is stale
 */
import fs from 'node:fs';
import path from 'node:path';
import protobuf from 'protobufjs';

import { mlflowSchema } from '../src/protocols/mlflow/schema';

export const MESSAGES_FILE = path.join(__dirname, '..', 'src', 'protocols', 'mlflow', 'messages.ts');

const HEADER = `/**
 * Generated from proto/mlflow/*.proto by scripts/proto-types.ts; do not edit by hand.
 * Regenerate with \`npx tsx scripts/proto-types.ts\` (test/proto-types.test.ts fails while it is stale).
 *
 * Field names are the snake_case names of the .proto, as the codec decodes and encodes them.
 * A field may be absent (\`?\`; the codec leaves out empty lists too) unless the .proto marks it
 * proto2 \`required\` or, in a request, (trackbridge.required), which the router checks first.
 * int64 is the core's Int64, enums are their value names, a nested message is Outer_Inner.
 */
`;

const NUMBER_TYPES = new Set(['double', 'float', 'int32', 'uint32', 'sint32', 'fixed32', 'sfixed32']);
const INT64_TYPES = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);

/** `.mlflow.SearchLoggedModels.Dataset` → `SearchLoggedModels_Dataset`: the path below the package. */
function tsName(t: protobuf.ReflectionObject): string {
  const parts: string[] = [];
  for (let o: protobuf.ReflectionObject | null = t; o instanceof protobuf.Type || o instanceof protobuf.Enum || o instanceof protobuf.Service; o = o.parent) {
    parts.unshift(o.name);
  }
  return parts.join('_');
}

function fieldType(f: protobuf.Field): string {
  f.resolve();
  if (f.resolvedType) return tsName(f.resolvedType);
  if (INT64_TYPES.has(f.type)) return 'Int64';
  if (NUMBER_TYPES.has(f.type)) return 'number';
  if (f.type === 'bool') return 'boolean';
  if (f.type === 'string' || f.type === 'bytes') return 'string';
  throw new Error(`no TypeScript type for ${f.type} (field ${fullName(f)})`);
}

/** Every message and enum below a namespace, outer before inner, in declaration order. */
function typesOf(ns: protobuf.NamespaceBase, out: Array<protobuf.Type | protobuf.Enum> = []): Array<protobuf.Type | protobuf.Enum> {
  for (const o of ns.nestedArray) {
    if (o instanceof protobuf.Type || o instanceof protobuf.Enum) out.push(o);
    if (o instanceof protobuf.Namespace || o instanceof protobuf.Type) typesOf(o, out);
  }
  return out;
}

function servicesOf(ns: protobuf.NamespaceBase, out: protobuf.Service[] = []): protobuf.Service[] {
  for (const o of ns.nestedArray) {
    if (o instanceof protobuf.Service) out.push(o);
    else if (o instanceof protobuf.Namespace) servicesOf(o, out);
  }
  return out;
}

const fullName = (o: protobuf.ReflectionObject) => o.fullName.replace(/^\./, '');

function emitEnum(e: protobuf.Enum): string {
  const names = Object.keys(e.values).map((v) => `'${v}'`);
  return `/** ${fullName(e)} */\nexport type ${tsName(e)} = ${names.join(' | ')};\n`;
}

/** The router refuses a request without its (trackbridge.required) fields, so its handler may count on them. */
const checkedPresent = (f: protobuf.Field) => f.options?.['(trackbridge.required)'] === true;

function emitMessage(t: protobuf.Type, requests: Set<protobuf.Type>): string {
  const lines = t.fieldsArray.map((f) => {
    // Only a request's own fields are checked; on any other message the option would be a promise nobody keeps.
    if (checkedPresent(f) && !requests.has(t)) throw new Error(`${fullName(f)} is (trackbridge.required) but ${fullName(t)} is no method's request`);
    const optional = f.required || checkedPresent(f) ? '' : '?';
    return `  ${f.name}${optional}: ${fieldType(f)}${f.repeated ? '[]' : ''};`;
  });
  const body = lines.length ? `{\n${lines.join('\n')}\n}` : '{}';
  // An empty interface would accept anything that is an object; a record of nevers accepts no key.
  return `/** ${fullName(t)} */\nexport ${lines.length ? `interface ${tsName(t)} ${body}` : `type ${tsName(t)} = Record<string, never>;`}\n`;
}

function emitService(s: protobuf.Service): string {
  const lines = s.methodsArray.map((m) => {
    m.resolve();
    return `  ${m.name}: { request: ${tsName(m.resolvedRequestType!)}; response: ${tsName(m.resolvedResponseType!)} };`;
  });
  return `/** ${fullName(s)}: each method's request and response. */\nexport interface ${tsName(s)}Methods {\n${lines.join('\n')}\n}\n`;
}

/** The text of the generated module for every package loaded into `root`, packages in file order. */
export function generateMessageTypes(root: protobuf.Root = mlflowSchema(), int64Module = '../../core/int64'): string {
  root.resolveAll();
  const types = typesOf(root).filter((t) => !fullName(t).startsWith('google.'));
  const services = servicesOf(root);
  const requests = new Set(services.flatMap((s) => s.methodsArray.map((m) => { m.resolve(); return m.resolvedRequestType!; })));
  const chunks = [HEADER, `import type { Int64 } from '${int64Module}';\n`];
  const seen = new Map<string, string>();
  for (const t of types) {
    const name = tsName(t);
    // Outer_Inner could collide with a top-level Outer_Inner; refuse rather than merge them.
    const other = seen.get(name);
    if (other) throw new Error(`${fullName(t)} and ${other} would both be named ${name}`);
    seen.set(name, fullName(t));
    chunks.push(t instanceof protobuf.Enum ? emitEnum(t) : emitMessage(t, requests));
  }
  for (const s of services) {
    const name = `${tsName(s)}Methods`;
    if (seen.has(name)) throw new Error(`${fullName(s)} and ${seen.get(name)} would both be named ${name}`);
    seen.set(name, fullName(s));
  }
  for (const s of services) chunks.push(emitService(s));
  chunks.push(`/** Every service by its full name, as handlers are registered: '<package.Service>/<method>'. */\nexport interface Services {\n${services.map((s) => `  '${fullName(s)}': ${tsName(s)}Methods;`).join('\n')}\n}\n`);
  return chunks.join('\n');
}

if (require.main === module) {
  const text = generateMessageTypes();
  if (process.argv.includes('--check')) {
    const current = fs.existsSync(MESSAGES_FILE) ? fs.readFileSync(MESSAGES_FILE, 'utf8') : '';
    if (current !== text) {
      console.error(`${path.relative(process.cwd(), MESSAGES_FILE)} is stale: run npx tsx scripts/proto-types.ts`);
      process.exit(1);
    }
  } else {
    fs.writeFileSync(MESSAGES_FILE, text);
    console.log(`wrote ${path.relative(process.cwd(), MESSAGES_FILE)}`);
  }
}
