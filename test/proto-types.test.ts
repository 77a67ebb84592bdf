/**
 * src/protocols/mlflow/messages.ts is generated from the .proto files: the committed file must be
 * what the generator prints now, and the generator must map each proto construct as documented.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import protobuf from 'protobufjs';

import { generateMessageTypes, MESSAGES_FILE } from '../scripts/proto-types';

const parse = (text: string) => protobuf.parse(text, { keepCase: true }).root;

const SAMPLE = `
syntax = "proto2";
package demo;
enum Colour { RED = 1; DEEP_BLUE = 2; }
message Thing {
  optional string name = 1;
  optional int64 size = 2;
  optional double weight = 3;
  optional int32 count = 4;
  optional bool shiny = 5;
  repeated Colour colours = 6;
  optional Part part = 7;
  repeated Part.Bolt bolts = 8;
  required string serial = 9;
}
message Part {
  message Bolt { optional uint64 torque = 1; }
  optional string label = 1;
}
message Ask {
  optional string id = 1 [(trackbridge.required) = true];
  optional string note = 2;
  message Response {}
}
service Shop {
  rpc ask (Ask) returns (Ask.Response);
  rpc look (Part) returns (Thing);
}
`;

describe('generated message types', () => {
  it('are committed exactly as the .proto files generate them (npx tsx scripts/proto-types.ts)', () => {
    assert.equal(fs.readFileSync(MESSAGES_FILE, 'utf8'), generateMessageTypes());
  });

  it('cover every message, enum and method of the MLflow service', () => {
    const text = generateMessageTypes();
    for (const name of ['SearchRuns', 'SearchRuns_Response', 'SearchLoggedModels_OrderBy', 'RunInfo', 'LoggedModelInfo']) {
      assert.match(text, new RegExp(`^export interface ${name} \\{$`, 'm'), name);
    }
    assert.match(text, /^export type RunStatus = 'RUNNING' \| 'SCHEDULED' \| 'FINISHED' \| 'FAILED' \| 'KILLED';$/m);
    assert.match(text, /^  searchRuns: \{ request: SearchRuns; response: SearchRuns_Response \};$/m);
    assert.match(text, /^  'mlflow\.MlflowService': MlflowServiceMethods;$/m);
  });

  it('map each proto construct to its TypeScript type', () => {
    const text = generateMessageTypes(parse(SAMPLE), './int64');
    const block = (name: string) => new RegExp(`export (?:interface|type) ${name}\\b[^\\n]*\\n?((?:  [^\\n]*\\n)*)`).exec(text)?.[0] ?? '';
    assert.match(text, /^import type \{ Int64 \} from '\.\/int64';$/m);
    assert.match(text, /^export type Colour = 'RED' \| 'DEEP_BLUE';$/m);
    assert.equal(block('Thing'), [
      'export interface Thing {',
      '  name?: string;',
      '  size?: Int64;',
      '  weight?: number;',
      '  count?: number;',
      '  shiny?: boolean;',
      '  colours?: Colour[];',
      '  part?: Part;',
      '  bolts?: Part_Bolt[];',
      '  serial: string;',
      '',
    ].join('\n'));
    assert.equal(block('Part_Bolt'), 'export interface Part_Bolt {\n  torque?: Int64;\n');
    // The router checks (trackbridge.required) request fields before any handler sees them.
    assert.equal(block('Ask'), 'export interface Ask {\n  id: string;\n  note?: string;\n');
    assert.match(text, /^export type Ask_Response = Record<string, never>;$/m);
    assert.match(text, /^export interface ShopMethods \{\n  ask: \{ request: Ask; response: Ask_Response \};\n  look: \{ request: Part; response: Thing \};\n\}$/m);
    assert.match(text, /^  'demo\.Shop': ShopMethods;$/m);
  });

  it('refuse (trackbridge.required) outside a request, where nothing checks it', () => {
    const root = parse('syntax = "proto2"; package demo; message Loose { optional string id = 1 [(trackbridge.required) = true]; }');
    assert.throws(() => generateMessageTypes(root), { message: /^demo\.Loose\.id is \(trackbridge\.required\) but demo\.Loose is no method's request$/ });
  });

  it('refuse two messages that would share a name', () => {
    const root = parse('syntax = "proto2"; package demo; message A { message B {} } message A_B {}');
    assert.throws(() => generateMessageTypes(root), { message: /^demo\.(A_B and demo\.A\.B|A\.B and demo\.A_B) would both be named A_B$/ });
  });
});
