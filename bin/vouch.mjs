#!/usr/bin/env node
// Runs the TypeScript sources directly (no build step), so `npx vouch` always matches the checkout.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
