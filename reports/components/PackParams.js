// The council and month of the printable pack (/pack?council=HRF&month=2017-05), read from the
// page's URL. Presentation only: no rule about any figure lives here.
//
// Evidence turns every ```sql block of a page into a JavaScript template string that is built
// before the page's own <script> runs, so the pack's queries call these functions (imports are
// hoisted) rather than reading variables the script declares. During the build (prerender) the
// URL has no query string: the functions then return a value Evidence's `hasUnsetValues` treats
// as unset, so the pack's queries are neither run nor embedded at build time; in the reader's
// browser they run in DuckDB-wasm with the values below.
import { browser } from '$app/environment';
import { Unset } from '@evidence-dev/sdk/usql';

/** Evidence skips a query while one of its interpolated values carries the Unset symbol. */
const UNSET = Object.freeze({ [Unset]: true, toString: () => '' });

const COUNCIL = /^[A-Za-z0-9_-]{1,32}$/;
const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** @param {URL} url */
export function packCouncilParam(url) {
	if (!browser) return null;
	return url.searchParams.get('council')?.trim() || null;
}

/** @param {URL} url */
export function packMonthParam(url) {
	if (!browser) return null;
	return url.searchParams.get('month')?.trim() || null;
}

/** The council code for a query, upper-cased; unset (query not run) when missing or malformed. */
export function packCouncil(url) {
	const value = packCouncilParam(url);
	return value && COUNCIL.test(value) ? value.toUpperCase() : UNSET;
}

/** The first day of the month (yyyy-mm-01) for a query; unset when missing or malformed. */
export function packMonth(url) {
	const value = packMonthParam(url);
	return value && MONTH.test(value) ? `${value}-01` : UNSET;
}

/** Whether the URL names a council and a month in the expected forms. */
export function packRequested(url) {
	return typeof packCouncil(url) === 'string' && typeof packMonth(url) === 'string';
}
