// Bundles the built server (dist/main.js) and its comm process (dist/comm/comm-process.js) into one file each. Loading
// ~1200 small modules one by one was most of Hotend's start (file lookups, reads, compiles); one file loads in a
// fraction of that. The unbundled dist/ stays beside them: sync-openapi (npm run generate) runs from it.
//
// The server's bundle is CommonJS (dist/main.bundle.cjs) and dist/main.js becomes its loader (src/boot/
// cached-bundle.ts), which compiles it through V8's code cache: ESM source cannot be given one on Node 20.
//
// At run time the server serves the committed openapi.yaml and never reads OpenAPI metadata, so @nestjs/swagger
// (about a third of a second to import) is replaced by decorators that do nothing; the generator keeps the real one.
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const DIST = fileURLToPath(new URL('../dist/', import.meta.url));
const MARK = '// hotend: bundled';

/** Loaded only when used, or not installed at all: Nest's optional integrations and the native addons. */
const EXTERNAL = [
  'better-sqlite3',
  '@serialport/bindings-cpp',
  '@nestjs/microservices',
  '@nestjs/microservices/*',
  '@nestjs/websockets',
  '@nestjs/websockets/*',
  '@nestjs/platform-express',
  '@fastify/view',
  'class-transformer/storage',
];

/** A decorator factory that decorates nothing (returning undefined keeps the class or member as it was). */
const SWAGGER_OFF = `
const none = () => () => undefined;
export { PartialType, PickType, OmitType, IntersectionType } from '@nestjs/mapped-types';
export const getSchemaPath = (model) => \`#/components/schemas/\${typeof model === 'string' ? model : model.name}\`;
`;

async function swaggerOffModule() {
  const names = Object.keys(await import('@nestjs/swagger')).filter((name) => /^Api[A-Z]/.test(name));
  return `${SWAGGER_OFF}${names.map((name) => `export const ${name} = none;`).join('\n')}\n`;
}

/**
 * Each module keeps its own location: import.meta.url (and __dirname in CommonJS) become the module's original file,
 * relative to the bundle, so paths such as the comm process's entry or package.json resolve as before.
 */
function keepLocations(outfile) {
  const base = dirname(outfile);
  return {
    name: 'keep-locations',
    setup(esbuild) {
      esbuild.onResolve({ filter: /^@nestjs\/swagger$/ }, () => ({ path: 'swagger-off', namespace: 'swagger-off' }));
      esbuild.onLoad({ filter: /.*/, namespace: 'swagger-off' }, async () => ({
        contents: await swaggerOffModule(),
        loader: 'js',
        resolveDir: DIST,
      }));
      esbuild.onLoad({ filter: /\.(c|m)?js$/ }, async ({ path }) => {
        let contents = await readFile(path, 'utf8');
        const own = JSON.stringify(relative(base, path));
        const usesMeta = contents.includes('import.meta.url');
        const usesDir = /\b__(dirname|filename)\b/.test(contents);
        if (!usesMeta && !usesDir) return undefined;
        if (usesMeta) contents = contents.replaceAll('import.meta.url', `__hotendUrl(${own})`);
        if (usesDir) contents = `var __filename = __hotendPath(${own}), __dirname = __hotendDir(${own});\n${contents}`;
        return { contents, loader: 'js', resolveDir: dirname(path) };
      });
    },
  };
}

const HELPERS = [
  'const __hotendUrl = (file) => new URL(file, __hotendBundle).href;',
  'const __hotendPath = (file) => __hotendToPath(__hotendUrl(file));',
  'const __hotendDir = (file) => __hotendDirname(__hotendPath(file));',
];

const ESM_BANNER = [
  MARK,
  "import { createRequire as __hotendRequire } from 'node:module';",
  "import { dirname as __hotendDirname } from 'node:path';",
  "import { fileURLToPath as __hotendToPath } from 'node:url';",
  // CommonJS code in the bundle calls require() for Node's modules and the external packages.
  'const require = __hotendRequire(import.meta.url);',
  'const __hotendBundle = import.meta.url;',
  ...HELPERS,
].join('\n');

/** Run by the loader with the CommonJS wrapper's require and __filename (taken here, before any module runs). */
const CJS_BANNER = [
  MARK,
  "const { dirname: __hotendDirname } = require('node:path');",
  "const { fileURLToPath: __hotendToPath, pathToFileURL: __hotendToUrl } = require('node:url');",
  'const __hotendBundle = __hotendToUrl(__filename).href;',
  ...HELPERS,
].join('\n');

/**
 * esbuild writes strings as ASCII but leaves regular expressions as they are (class-validator's alphabets): one
 * non-ASCII character makes V8 keep the whole source as two bytes a character, 8 MB instead of 4. Escaped, the
 * expressions match the same characters (a \uXXXX pair is one code point in a /u expression too).
 */
const asciiOnly = (text) =>
  text.replace(/[^\x00-\x7f]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);

async function bundle(entry, outfile, format) {
  const result = await build({
    entryPoints: [entry],
    outfile,
    allowOverwrite: true,
    bundle: true,
    platform: 'node',
    format,
    target: 'node20',
    external: EXTERNAL,
    banner: { js: format === 'cjs' ? CJS_BANNER : ESM_BANNER },
    plugins: [keepLocations(outfile)],
    // Class names stay as written: Nest's logger contexts and error messages use them.
    keepNames: true,
    // Smaller source to parse and keep in memory; identifiers stay readable in stack traces.
    minifyWhitespace: true,
    minifySyntax: true,
    // Stack traces map back to the TypeScript sources with `node --enable-source-maps`.
    sourcemap: true,
    logLevel: 'error',
  });
  const undefinedImports = result.warnings.filter((warning) => warning.id === 'import-is-undefined');
  if (undefinedImports.length > 0) {
    throw new Error(`bundle ${entry}: ${undefinedImports.map((warning) => warning.text).join('; ')}`);
  }
  const source = asciiOnly(await readFile(outfile, 'utf8'));
  await writeFile(outfile, source);
  return createHash('sha256').update(source).digest('hex');
}

const isBundled = async (file) => (await readFile(file, 'utf8')).startsWith(MARK);

const main = join(DIST, 'main.js');
if (!(await isBundled(main))) {
  const hash = await bundle(main, join(DIST, 'main.bundle.cjs'), 'cjs');
  const loader = [
    MARK,
    "import { runCachedBundle } from './boot/cached-bundle.js';",
    `await runCachedBundle(new URL('./main.bundle.cjs', import.meta.url), '${hash}');`,
    '',
  ];
  await writeFile(main, loader.join('\n'));
}
const comm = join(DIST, 'comm/comm-process.js');
if (!(await isBundled(comm))) await bundle(comm, comm, 'esm');
