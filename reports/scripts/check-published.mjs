// Open the published warehouse with the DuckDB library Evidence's duckdb source uses
// (@duckdb/node-api) and print each mart's row count as JSON. Fails with a clear
// message if that library cannot read the file (e.g. a newer storage version).
//
// Usage: node scripts/check-published.mjs [path]   (default: the source's filename)

import { DuckDBInstance } from '@duckdb/node-api';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const projectDir = path.resolve(import.meta.dirname, '..');
const sourceDir = path.join(projectDir, 'sources', 'scorecard');

function defaultFilename() {
	const fromEnv = process.env.EVIDENCE_SOURCE__scorecard__filename;
	if (fromEnv) return path.join(sourceDir, fromEnv);
	const yaml = readFileSync(path.join(sourceDir, 'connection.yaml'), 'utf8');
	const match = yaml.match(/^\s*filename:\s*(.+)\s*$/m);
	return path.join(sourceDir, match[1].trim());
}

const filename = path.resolve(process.argv[2] ?? defaultFilename());
if (!existsSync(filename)) {
	console.error(`check-published: ${filename} does not exist. Run \`make build\` first.`);
	process.exit(1);
}

let instance;
try {
	instance = await DuckDBInstance.create(filename, { access_mode: 'READ_ONLY' });
} catch (error) {
	console.error(`check-published: the node DuckDB driver cannot open ${filename}: ${error.message}`);
	process.exit(1);
}
const connection = await instance.connect();
const version = (await connection.runAndReadAll('select version() as v')).getRowObjects()[0].v;
const tables = (
	await connection.runAndReadAll(
		"select table_name from information_schema.tables where table_schema = 'marts' order by table_name"
	)
).getRowObjects();
const counts = {};
for (const { table_name: table } of tables) {
	const rows = (await connection.runAndReadAll(`select count(*)::integer as n from marts."${table}"`)).getRowObjects();
	counts[table] = rows[0].n;
}
console.log(JSON.stringify({ file: filename, duckdb: version, marts: counts }));
connection.closeSync?.();
