// Bundles the built server (dist/main.js) and its comm process (dist/comm/comm-process.js) into one file each, in
// place. Loading ~1200 small modules one by one was most of Hotend's start (file lookups, reads, compiles); one file
// loads in a fraction of that. The unbundled dist/ stays beside them: sync-openapi (npm run generate) runs from it.
//
// At run time the server serves the committed openapi.yaml and never reads OpenAPI metadata, so @nestjs/swagger
// (about a third of a second to import) is replaced by decorators that do nothing; the generator keeps the real one.
import { readFile } from 'node:fs/promises';
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
const mapped = await import('@nestjs/mapped-types');
export const PartialType = mapped.PartialType;
export const PickType = mapped.PickType;
export const OmitType = mapped.OmitType;
export const IntersectionType = mapped.IntersectionType;
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

const BANNER = [
  MARK,
  "import { createRequire as __hotendRequire } from 'node:module';",
  "import { dirname as __hotendDirname } from 'node:path';",
  "import { fileURLToPath as __hotendToPath } from 'node:url';",
  // CommonJS code in the bundle calls require() for Node's modules and the external packages.
  'const require = __hotendRequire(import.meta.url);',
  'const __hotendUrl = (file) => new URL(file, import.meta.url).href;',
  'const __hotendPath = (file) => __hotendToPath(__hotendUrl(file));',
  'const __hotendDir = (file) => __hotendDirname(__hotendPath(file));',
].join('\n');

async function bundle(entry) {
  const outfile = join(DIST, entry);
  if ((await readFile(outfile, 'utf8')).startsWith(MARK)) return;
  const result = await build({
    entryPoints: [outfile],
    outfile,
    allowOverwrite: true,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: EXTERNAL,
    banner: { js: BANNER },
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
}

await bundle('main.js');
await bundle('comm/comm-process.js');
