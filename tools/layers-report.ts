// `npm run layers`: the imports between the layers of src/, and any that break their order.
import { arrows, imports, violations } from './layers.ts';

const all = imports();
console.log(`${all.length} import lines in src/ (tests left out)`);
for (const [arrow, count] of arrows(all)) console.log(`${arrow.padEnd(22)} ${count}`);
const broken = violations(all);
console.log(broken.length === 0 ? 'No import runs up the layers.' : broken.join('\n'));
process.exitCode = broken.length === 0 ? 0 : 1;
