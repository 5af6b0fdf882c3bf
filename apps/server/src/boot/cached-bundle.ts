import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

/** What the bundle's entry exports: settled once the server listens (or has failed and exits). */
interface BundleExports {
  started?: Promise<unknown>;
}

/**
 * A cache is used only by the bundle and the Node and V8 it was made with. V8 also checks its version and flags itself
 * (and rejects a cache made with other flags), but of the source only its length: the bundle's hash (taken at build
 * time) is part of the key.
 */
function cacheHeader(bundleHash: string): Buffer {
  const key = {
    bundle: bundleHash,
    node: process.version,
    v8: process.versions.v8,
    arch: process.arch,
  };
  return Buffer.from(`hotend-code-cache 1 ${JSON.stringify(key)}\n`);
}

function readCache(file: string, header: Buffer): Buffer | undefined {
  let data: Buffer;
  try {
    data = readFileSync(file);
  } catch {
    return undefined;
  }
  const matches = data.length > header.length && data.subarray(0, header.length).equals(header);
  return matches ? data.subarray(header.length) : undefined;
}

/** Written beside the bundle, atomically (servers started together each write a whole file); skipped when read-only. */
function writeCache(file: string, header: Buffer, data: Buffer): void {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, Buffer.concat([header, data]));
    renameSync(temporary, file);
  } catch {
    rmSync(temporary, { force: true });
  }
}

/**
 * Runs a CommonJS bundle through V8's code cache: compiling the server's ~4 MB of JavaScript is a large part of its
 * start, and a cache of the functions the last start compiled skips most of it. Without a usable cache (first start,
 * a rebuilt bundle, another Node or other V8 flags) the bundle is compiled as usual and, once the server listens, the
 * cache is written for the next start. Settles once the server has started and the cache is written.
 */
export async function runCachedBundle(bundleUrl: URL, bundleHash: string): Promise<void> {
  const file = fileURLToPath(bundleUrl);
  // Node maps stack traces (--enable-source-maps) only for modules it loads itself: then without a cache.
  if (process.sourceMapsEnabled) {
    await (createRequire(file)(file) as BundleExports).started;
    return;
  }
  const cacheFile = `${file}.code-cache`;
  const header = cacheHeader(bundleHash);
  const cachedData = readCache(cacheFile, header);
  // The wrapper shares the first line with the bundle's banner comment, so line numbers stay the bundle's own.
  const script = new vm.Script(
    `(function (exports, require, module, __filename, __dirname) {${readFileSync(file, 'utf8')}\n})`,
    { filename: file, cachedData, importModuleDynamically: (specifier) => import(specifier) },
  );
  const module: { exports: BundleExports } = { exports: {} };
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  run(module.exports, createRequire(file), module, file, dirname(file));
  await module.exports.started;
  // Made after the start, it holds the functions the start compiled (made before running, only the top level).
  if (cachedData === undefined || script.cachedDataRejected === true) {
    writeCache(cacheFile, header, script.createCachedData());
  }
}
