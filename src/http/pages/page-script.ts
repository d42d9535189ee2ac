import { readFileSync } from 'node:fs';

/** A page's script as served: the share buttons both scripted pages have, then the page's own. */
export function pageScript(file: 'portal.js' | 'widget-frame.js'): string {
  const read = (name: string) => readFileSync(new URL(`./assets/${name}`, import.meta.url), 'utf8');
  return `${read('share-buttons.js')}\n${read(file)}`;
}
