#!/usr/bin/env node
// Runs the collector's production build (dist/, from `npm run build`) when it matches the sources, else the
// TypeScript sources through tsx, so neither an install nor the tests need a build step.
import { runProgram } from './dist.js';

await runProgram('collector');
