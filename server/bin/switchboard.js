#!/usr/bin/env node
// The `switchboard` operator CLI. The sources are TypeScript run as they are (like `npm start`),
// so tsx is registered before the entry point is imported.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
