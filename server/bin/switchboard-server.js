#!/usr/bin/env node
// Starts a Switchboard node from the installed package: the compiled server, configured by the
// environment (see the README's configuration table). SIGTERM and SIGINT close it gracefully.
await import('../dist/main.js');
