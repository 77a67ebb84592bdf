/** Locates the package's own files (proto/, ui/) whether running from src/ or dist/src/. */
import fs from 'node:fs';
import path from 'node:path';

let cached: string | undefined;

export function packageRoot(): string {
  if (cached) return cached;
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'proto', 'mlflow'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('cannot find the trackbridge package root (proto/ is missing)');
    dir = up;
  }
  cached = dir;
  return dir;
}
