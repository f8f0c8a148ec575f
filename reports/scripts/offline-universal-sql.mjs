// Make Evidence's query engine work with no access to extensions.duckdb.org.
//
// DuckDB-wasm has no built-in parquet reader: when Evidence merges source parquet
// files (`evidence sources`), prerenders pages (`evidence build`) or opens the built
// site in a reader's browser, DuckDB-wasm downloads `parquet.duckdb_extension.wasm`
// from DuckDB's extension site. With no network (CI here; many council networks)
// the node side hangs forever with no error and the browser side breaks every
// interactive query. No npm package ships that extension.
//
// This script, run by `npm install` (postinstall), adjusts
// @evidence-dev/universal-sql so that
//   * source parquet parts are merged with parquet-wasm (already an Evidence
//     dependency) instead of DuckDB's COPY ... (FORMAT PARQUET);
//   * each parquet file is decoded with parquet-wasm and inserted into DuckDB as an
//     Arrow table (node and browser) instead of a read_parquet() view;
//   * extension auto-install and auto-load are off, so anything else that needs an
//     extension fails at once instead of hanging.
//
// Every edit names the exact upstream text it replaces. If that text is not there
// (Evidence was upgraded), the script stops with an error: read the new upstream
// code and update this script, never skip it. Re-running it is harmless.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const MARKER = '/* scorecard: offline-universal-sql */';
const EXPECTED_VERSION = '3.0.1';

if (process.env.npm_config_package_lock_only === 'true') {
	console.log('offline-universal-sql: lock-file-only install, nothing to adjust');
	process.exit(0);
}

const projectDir = path.resolve(import.meta.dirname, '..');
const candidates = [
	path.join(projectDir, 'node_modules/@evidence-dev/universal-sql'),
	path.join(projectDir, 'node_modules/@evidence-dev/evidence/node_modules/@evidence-dev/universal-sql')
];
const root = candidates.find((dir) => existsSync(path.join(dir, 'package.json')));
if (!root) {
	console.error(`offline-universal-sql: @evidence-dev/universal-sql not found under ${projectDir}/node_modules`);
	process.exit(1);
}
const pkgJson = path.join(root, 'package.json');
const { version } = JSON.parse(readFileSync(pkgJson, 'utf8'));

function fail(message) {
	console.error(`offline-universal-sql: ${message}`);
	console.error(
		'offline-universal-sql: the upstream code this script adjusts has changed; ' +
			'update reports/scripts/offline-universal-sql.mjs for the new version before building.'
	);
	process.exit(1);
}

if (version !== EXPECTED_VERSION) {
	fail(`expected @evidence-dev/universal-sql ${EXPECTED_VERSION}, found ${version}`);
}

const AUTOLOAD_OFF = `
		// Extensions cannot be downloaded here: fail fast instead of hanging.
		await connection.query('SET autoinstall_known_extensions = false;');
		await connection.query('SET autoload_known_extensions = false;');`;

const edits = {
	'src/build-parquet.js': [
		{
			find: "import { emptyDbFs, initDB, query } from './client-duckdb/node.js';",
			replace: `${MARKER}
import { readParquet } from 'parquet-wasm/node/arrow1.js';
import { tableFromIPC } from 'apache-arrow';`
		},
		{
			find: `	await initDB();

	const outputFilepath = path.join(outDir, outputFilename);

	const parquetFiles = tmpFilenames.map((filename) => \`'\${filename.replaceAll('\\\\', '/')}'\`);

	const select = \`SELECT * FROM read_parquet([\${parquetFiles.join(',')}])\`;
	const copy = \`COPY (\${select}) TO '\${outputFilepath}' (FORMAT 'PARQUET', CODEC 'ZSTD', USE_TMP_FILE false);\`;

	await fs.mkdir(path.dirname(outputFilepath), { recursive: true });
	await query(copy);
`,
			replace: `	const outputFilepath = path.join(outDir, outputFilename);
	await fs.mkdir(path.dirname(outputFilepath), { recursive: true });
	if (tmpFilenames.length === 1) {
		await fs.copyFile(tmpFilenames[0], outputFilepath);
	} else {
		// Merge the parts with parquet-wasm: DuckDB-wasm would need the parquet extension.
		const parts = [];
		for (const tmpFile of tmpFilenames) {
			parts.push(tableFromIPC(readParquet(await fs.readFile(tmpFile)).intoIPCStream()));
		}
		const merged = parts.slice(1).reduce((all, part) => all.concat(part), parts[0]);
		const mergedProperties = new WriterPropertiesBuilder().setCompression(Compression.ZSTD).build();
		await fs.writeFile(
			outputFilepath,
			writeParquet(Table.fromIPCStream(tableToIPC(merged, 'stream')), mergedProperties)
		);
	}
`
		},
		{
			find: `	for (const tmpFile of tmpFilenames) {
		await fs.rm(tmpFile, { force: true });
	}
	await emptyDbFs('*');
`,
			replace: `	for (const tmpFile of tmpFilenames) {
		await fs.rm(tmpFile, { force: true });
	}
`
		}
	],
	'src/client-duckdb/node.js': [
		{
			find: "import { withTimeout } from './both.js';",
			replace: `import { withTimeout } from './both.js';
${MARKER}
import { readFileSync } from 'fs';
import { readParquet } from 'parquet-wasm/node/arrow1.js';`
		},
		{
			find: `		await connection.query('SET old_implicit_casting = true;');
`,
			replace: `		await connection.query('SET old_implicit_casting = true;');${AUTOLOAD_OFF}
`
		},
		{
			find: `			db.registerFileURL(
				file_name,
				url.split(pathDelimiterRegex).join(path.sep),
				DuckDBDataProtocol.NODE_FS,
				false
			);
			connection.query(
				\`CREATE OR REPLACE VIEW "\${source}"."\${table}" AS (SELECT * FROM read_parquet('\${file_name}'));\`
			);
`,
			replace: `			// Decode with parquet-wasm and insert as an Arrow table (no parquet extension needed).
			const ipc = readParquet(readFileSync(url.split(pathDelimiterRegex).join(path.sep))).intoIPCStream();
			connection.query(\`DROP VIEW IF EXISTS "\${source}"."\${table}";\`);
			connection.query(\`DROP TABLE IF EXISTS "\${source}"."\${table}";\`);
			connection.insertArrowFromIPCStream(ipc, { schema: source, name: table, create: true });
`
		}
	],
	'src/client-duckdb/browser.js': [
		{
			find: "import { arrowTableToJSON, getPromise, withTimeout } from './both.js';",
			replace: `import { arrowTableToJSON, getPromise, withTimeout } from './both.js';
${MARKER}
import initParquetWasm, { readParquet } from 'parquet-wasm/esm/arrow1.js';
import parquetWasmUrl from 'parquet-wasm/esm/arrow1_bg.wasm?url';

/** @type {Promise<unknown> | undefined} */
let parquetWasmReady;

/**
 * Fetches a parquet file and decodes it to an Arrow IPC stream with parquet-wasm,
 * so DuckDB-wasm never needs to download its parquet extension.
 * @param {string} url
 * @returns {Promise<Uint8Array>}
 */
async function fetchParquetAsArrowIPC(url) {
	parquetWasmReady ??= initParquetWasm(parquetWasmUrl);
	await parquetWasmReady;
	const response = await fetch(url);
	if (!response.ok) throw new Error(\`Could not fetch \${url}: HTTP \${response.status}\`);
	return readParquet(new Uint8Array(await response.arrayBuffer())).intoIPCStream();
}`
		},
		{
			find: `		await connection.query('SET old_implicit_casting = true;');
`,
			replace: `		await connection.query('SET old_implicit_casting = true;');${AUTOLOAD_OFF}
`
		},
		{
			find: `				await db.registerFileURL(file_name, addBasePath(path), DuckDBDataProtocol.HTTP, false);
				await connection.query(
					\`CREATE OR REPLACE VIEW "\${source}"."\${table}" AS (SELECT * FROM read_parquet('\${file_name}'));\`
				);
`,
			replace: `				const ipc = await fetchParquetAsArrowIPC(addBasePath(path));
				await connection.query(\`DROP VIEW IF EXISTS "\${source}"."\${table}";\`);
				await connection.query(\`DROP TABLE IF EXISTS "\${source}"."\${table}";\`);
				await connection.insertArrowFromIPCStream(ipc, { schema: source, name: table, create: true });
`
		}
	]
};

// A source query with no rows (a mart that is empty in this build, e.g. the benchmarks
// before any national statistics are loaded): upstream writes no parquet file but still
// lists it in the manifest, so the site's loader fetches a file that is not there and
// every page's queries fail. Write the table's columns with no rows instead, so the
// table exists, empty, and a page can say it has nothing to show. parquet-wasm cannot
// decode a parquet file with no rows (it panics), so that file holds an Arrow IPC
// stream (the columns and one batch of no rows); both readers below tell the two apart
// by parquet's leading magic bytes, PAR1.
// Its own marker: applied to an install that already has the edits above.
const EMPTY_MARKER = '/* scorecard: empty-source-tables */';
const IS_PARQUET = (bytes) =>
	`${bytes}.length >= 4 && ${bytes}[0] === 0x50 && ${bytes}[1] === 0x41 && ${bytes}[2] === 0x52 && ${bytes}[3] === 0x31`;
const emptyTableEdits = {
	'src/build-parquet.js': [
		{
			find: `	if (currentBatch.length) await flush(currentBatch);

	if (!tmpFilenames.length) return 0;
`,
			replace: `	if (currentBatch.length) await flush(currentBatch);

	if (!tmpFilenames.length) {
		${EMPTY_MARKER}
		// No rows: the columns as an Arrow IPC stream (parquet-wasm cannot read back an empty parquet).
		const emptyTypes = {
			number: () => new Float64(),
			string: () => new Utf8(),
			date: () => new TimestampMillisecond(),
			boolean: () => new Bool()
		};
		const emptyTable = tableFromArrays(
			Object.fromEntries(
				columns.map((c) => [c.name, vectorFromArray([], (emptyTypes[c.evidenceType] ?? emptyTypes.string)())])
			)
		);
		const emptyPath = path.join(outDir, outputFilename);
		await fs.mkdir(path.dirname(emptyPath), { recursive: true });
		await fs.writeFile(emptyPath, tableToIPC(emptyTable, 'stream'));
		return 0;
	}
`
		}
	],
	'src/client-duckdb/node.js': [
		{
			find: `			const ipc = readParquet(readFileSync(url.split(pathDelimiterRegex).join(path.sep))).intoIPCStream();
`,
			replace: `			${EMPTY_MARKER}
			// A table with no rows is stored as an Arrow IPC stream, not parquet (build-parquet.js).
			const bytes = readFileSync(url.split(pathDelimiterRegex).join(path.sep));
			const ipc = ${IS_PARQUET('bytes')} ? readParquet(bytes).intoIPCStream() : bytes;
`
		}
	],
	'src/client-duckdb/browser.js': [
		{
			find: `	return readParquet(new Uint8Array(await response.arrayBuffer())).intoIPCStream();
`,
			replace: `	${EMPTY_MARKER}
	// A table with no rows is stored as an Arrow IPC stream, not parquet (build-parquet.js).
	const bytes = new Uint8Array(await response.arrayBuffer());
	return ${IS_PARQUET('bytes')} ? readParquet(bytes).intoIPCStream() : bytes;
`
		}
	]
};

/** Apply one set of edits to each file that does not carry its marker yet; count the files changed. */
function applyEdits(fileEditsByPath, marker) {
	let count = 0;
	for (const [relative, fileEdits] of Object.entries(fileEditsByPath)) {
		const file = path.join(root, relative);
		let text = readFileSync(file, 'utf8');
		if (text.includes(marker)) continue;
		for (const { find, replace } of fileEdits) {
			const found = text.split(find).length - 1;
			if (found !== 1) {
				fail(`${relative}: expected the upstream text exactly once, found it ${found} times:\n${find}`);
			}
			text = text.replace(find, () => replace);
		}
		writeFileSync(file, text);
		count += 1;
	}
	return count;
}

// The empty-table edits read the text the offline edits leave, so they come second.
const changed = applyEdits(edits, MARKER) + applyEdits(emptyTableEdits, EMPTY_MARKER);
console.log(
	changed
		? `offline-universal-sql: adjusted ${changed} file(s) of @evidence-dev/universal-sql ${version}`
		: `offline-universal-sql: @evidence-dev/universal-sql ${version} already adjusted`
);
