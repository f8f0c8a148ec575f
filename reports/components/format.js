// Presentation only: how a figure is written on the page. Every rule about what a
// figure means (RAG, direction, variance) is computed in dbt and read from the marts.

/** @param {unknown} x */
function toNumber(x) {
	if (x === null || x === undefined || x === '') return null;
	const n = Number(x);
	return Number.isFinite(n) ? n : null;
}

/**
 * A number as the packs write it: whole numbers bare, others to 1 or 2 decimal places (92.6, 1,024).
 * @param {number} n
 */
function formatNumber(n) {
	const digits = Number.isInteger(n) ? 0 : 1;
	return n.toLocaleString('en-GB', { minimumFractionDigits: digits, maximumFractionDigits: 2 });
}

/**
 * A figure in its unit, e.g. 92.6%, 504, 18.2 days: the number put into the unit's template from the
 * mart ({n} standing for it: dim_indicator.figure_template, from units.figure_template). No template
 * writes the number alone. The page knows no unit.
 * @param {unknown} value
 * @param {string | null | undefined} template
 */
export function formatFigure(value, template) {
	const n = toNumber(value);
	if (n === null) return '';
	const text = formatNumber(n);
	return template ? String(template).replaceAll('{n}', text) : text;
}

/**
 * A signed difference, e.g. +2 points, −6 days: the mart's difference template
 * (dim_indicator.difference_template) with the number's sign in front.
 * @param {unknown} value
 * @param {string | null | undefined} template
 */
export function formatSigned(value, template) {
	const n = toNumber(value);
	if (n === null) return '';
	const sign = n > 0 ? '+' : n < 0 ? '−' : '';
	return `${sign}${formatFigure(Math.abs(n), template)}`;
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
