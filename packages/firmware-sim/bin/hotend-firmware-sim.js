#!/usr/bin/env node
// Committed entry point, so npm links the command at install time even before the package is built.
import '../dist/cli.js';
