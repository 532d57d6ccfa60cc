#!/usr/bin/env node
// `npx revenue-engine <command>` (package.json "bin") and `npm run cli -- <command>`: runs the
// built CLI (dist/apps/cli/src/main.js). In a checkout with TypeScript installed it first
// compiles, incrementally, but only when a source file changed since the last build, so an
// up-to-date dist starts at once. REVENUE_ENGINE_BUILD=never skips the check.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const main = join(root, 'dist/apps/cli/src/main.js');
const buildInfo = join(root, 'dist/.tsbuildinfo');
/** What tsconfig.build.json compiles, and the files that change how it compiles. */
const SOURCE_DIRS = ['src', 'libs', 'projections', 'apps', 'bench'];
const CONFIG_FILES = ['package.json', 'tsconfig.json', 'tsconfig.build.json'];
const isTest = (name) => /\.(test|spec)\.ts$/.test(name) || name === 'test-support';

/** Newest modification time (ms) under a folder: files, and folders too (a deleted or renamed file changes its folder). */
function newest(dir) {
  let latest = statSync(dir).mtimeMs;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || isTest(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) latest = Math.max(latest, newest(path));
    else if (entry.name.endsWith('.ts')) latest = Math.max(latest, statSync(path).mtimeMs);
  }
  return latest;
}

function isStale() {
  if (!existsSync(main) || !existsSync(buildInfo)) return true;
  const built = statSync(buildInfo).mtimeMs;
  const sources = [
    ...SOURCE_DIRS.map((d) => join(root, d))
      .filter(existsSync)
      .map(newest),
    ...CONFIG_FILES.map((f) => join(root, f))
      .filter(existsSync)
      .map((f) => statSync(f).mtimeMs),
  ];
  return sources.some((mtime) => mtime > built);
}

function tscPath() {
  try {
    return createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
  } catch {
    return null; // an install without devDependencies: run what was built
  }
}

if (process.env.REVENUE_ENGINE_BUILD !== 'never' && isStale()) {
  const tsc = tscPath();
  if (tsc) {
    process.stderr.write('revenue-engine: sources changed since the last build, compiling (tsc -p tsconfig.build.json) ...\n');
    const build = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { cwd: root, stdio: ['ignore', 2, 2] });
    // tsc writes its build info only when output changed: mark this check as done when it succeeded.
    if (build.status === 0 && existsSync(buildInfo)) utimesSync(buildInfo, new Date(), new Date());
    if (build.status !== 0) process.stderr.write('revenue-engine: the build reported errors (above); running what was emitted\n');
  }
}

if (!existsSync(main)) {
  process.stderr.write('revenue-engine: the CLI is not built: run `npm run build` first\n');
  process.exit(1);
}
await import(pathToFileURL(main).href);
