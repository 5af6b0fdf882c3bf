#!/usr/bin/env node
// Committed entry point, so npm links the command at install time even before the package is built.
try {
  await import('../dist/cli.js');
} catch (error) {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/cli.js')) {
    console.error('hotend-firmware-sim is not built yet: run `npm run build` (or `npm start`) first.');
    process.exit(1);
  }
  throw error;
}
