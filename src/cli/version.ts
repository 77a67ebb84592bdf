/** The package's own version, read from its package.json whether running from src/ or dist/src/. */
import fs from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../paths';

export function packageVersion(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}
