// Presentation only: how a figure is written on the page. Every rule about what a
// figure means (RAG, direction, variance) is computed in dbt and read from the marts.

/** @param {unknown} x */
function toNumber(x) {
	if (x === null || x === undefined || x === '') return null;
	const n = Number(x);
	return Number.isFinite(n) ? n : null;
}

/**
 * A figure in its unit, e.g. 92.6%, 504, 18.2 days.
 * @param {unknown} value
 * @param {string | null | undefined} unit
 */
export function formatFigure(value, unit) {
	const n = toNumber(value);
	if (n === null) return '';
	const digits = Number.isInteger(n) ? 0 : 1;
	const text = n.toLocaleString('en-GB', { minimumFractionDigits: digits, maximumFractionDigits: 2 });
	if (unit === 'percentage') return `${text}%`;
	if (unit === 'days') return `${text} days`;
	if (unit === 'points') return `${text} pts`;
	return text;
}

/**
 * A signed difference in the figure's unit, e.g. +2.0 points, −6%.
 * @param {unknown} value
 * @param {string | null | undefined} unit
 */
export function formatSigned(value, unit) {
	const n = toNumber(value);
	if (n === null) return '';
	const sign = n > 0 ? '+' : n < 0 ? '−' : '';
	return `${sign}${formatFigure(Math.abs(n), unit === 'percentage' ? 'points' : unit)}`;
}

/**
 * Money in £ thousands as the packs print it: 1,361 or (284) for a negative.
 * @param {unknown} value
 */
export function formatThousands(value) {
	const n = toNumber(value);
	if (n === null) return '';
	const text = Math.abs(n).toLocaleString('en-GB', { maximumFractionDigits: 0 });
	return n < 0 ? `(${text})` : text;
}

/** @param {unknown} d */
export function formatMonth(d) {
	if (d === null || d === undefined || d === '') return '';
	const date = d instanceof Date ? d : new Date(String(d));
	if (Number.isNaN(date.getTime())) return String(d);
	return date.toLocaleDateString('en-GB', { month: 'short', year: 'numeric', timeZone: 'UTC' });
}
