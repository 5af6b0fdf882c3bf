// sockjs-client's browser code reads Node's `global`, which only webpack 4 used to provide; bundlers such as Vite
// and esbuild do not, and the import fails with "global is not defined". This module is imported before
// sockjs-client (socket.ts), so `global` exists by the time sockjs-client's modules run.
const scope = globalThis as typeof globalThis & { global?: unknown };
scope.global ??= globalThis;

export {};
