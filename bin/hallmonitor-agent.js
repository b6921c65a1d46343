#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx, so an install needs no build step.
import { register } from 'tsx/esm/api';

register();
await import('../agent/cli/main.ts');
