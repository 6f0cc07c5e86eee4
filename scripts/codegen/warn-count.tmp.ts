import { readFile } from 'node:fs/promises';
import { Parser } from '@asyncapi/parser';
import { createConfig, lint } from '@redocly/openapi-core';
const root = process.cwd() + '/';
const src = await readFile(root + 'specs/asyncapi.yaml', 'utf8');
const { diagnostics } = await new Parser().parse(src, { source: root + 'specs/asyncapi.yaml' });
const byCode: Record<string, number> = {};
for (const d of diagnostics) { const k = `${d.severity}:${d.code}`; byCode[k] = (byCode[k] ?? 0) + 1; }
console.log('asyncapi', diagnostics.length, byCode);
if (process.argv.includes('-v')) for (const d of diagnostics) console.log(' ', d.severity, d.code, d.path.join('.'), d.message);
const config = await createConfig({ extends: ['recommended'], rules: { 'no-server-example.com': 'off' } });
const problems = await lint({ ref: root + 'specs/openapi.yaml', config });
const by2: Record<string, number> = {};
for (const p of problems) { const k = `${p.severity}:${p.ruleId}`; by2[k] = (by2[k] ?? 0) + 1; }
console.log('openapi', problems.length, by2);
if (process.argv.includes('-v')) for (const p of problems) console.log(' ', p.severity, p.ruleId, p.location.map((l) => l.pointer).join(','), p.message);
