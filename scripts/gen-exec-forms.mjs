#!/usr/bin/env node
// Rewrites the table of exec command lines in docs/scenario-guide.md from EXEC_FORMS (the
// parser's own list); packages/scenario/src/exec.test.ts fails while they differ.
//   npm run build && node scripts/gen-exec-forms.mjs
import { readFileSync, writeFileSync } from 'node:fs';
import { EXEC_FORMS } from '../packages/linux/dist/index.js';

const path = new URL('../docs/scenario-guide.md', import.meta.url);
const guide = readFileSync(path, 'utf8');
const cell = (t) => t.replace(/\|/g, '\\|');
const rows = EXEC_FORMS.map((f) => `| \`${cell(f.form)}\` | ${cell(f.does)} |`).join('\n');
const start = guide.indexOf('<!-- exec-forms:');
const end = guide.indexOf('<!-- /exec-forms -->');
if (start < 0 || end < 0) throw new Error('docs/scenario-guide.md has no exec-forms block');
const head = guide.slice(start, guide.indexOf('\n', start) + 1);
writeFileSync(path, `${guide.slice(0, start)}${head}| command line | what it does |\n|---|---|\n${rows}\n${guide.slice(end)}`);
