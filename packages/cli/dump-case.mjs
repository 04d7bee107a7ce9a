import { drawCase } from './dist/fuzz-kernel.js';
import { planOf, sourceOf } from './dist/gen.js';
const [seed, k] = process.argv.slice(2).map(Number);
process.stdout.write(sourceOf(planOf(drawCase(seed, k), `seed ${seed} case ${k}`), 'case'));
