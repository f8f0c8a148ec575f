// Run by `npm install` (package.json's postinstall), after scripts/offline-universal-sql.mjs.
// Evidence 40.1.8's template settings page (src/pages/settings/+page.svelte) imports
// SourceConfig from @evidence-dev/core-components, whose SourceConfigRow and NewSourceForm do
// `import * as simpleIcons from '@steeze-ui/simple-icons'`. Rollup then keeps every brand icon
// (4.8 MB) in the chunk the root layout imports for its header's two icons, and every page
// modulepreloads it. A built site's settings page only ever says that settings are available in
// development mode, so this writes that page without the import. (`evidence dev` loses its
// settings editor; this project edits sources/scorecard/connection.yaml by hand.)
import fs from 'node:fs';
import path from 'node:path';

const page = path.join('node_modules', '@evidence-dev', 'evidence', 'template', 'src', 'pages', 'settings', '+page.svelte');
const text = fs.readFileSync(page, 'utf-8');
const marker = "SourceConfig\n\t} from '@evidence-dev/core-components';";
if (text.includes('slim-settings-page')) {
	console.log(`slim-settings-page: ${page} already adjusted`);
	process.exit(0);
}
if (!text.includes(marker)) {
	throw new Error(`${page} is not the page this script expects (Evidence 40.1.8): check it by hand`);
}
fs.writeFileSync(page, '<!-- slim-settings-page: see scripts/slim-settings-page.mjs -->\n<p>Settings are only available in development mode.</p>\n');
console.log(`slim-settings-page: ${page} no longer imports the settings components`);
