// The reader's choices (council, month ...) live in the page's query string, e.g.
// ?council=HRF&month=2017-05, so a link can be shared and a reload keeps them.
import { replaceState } from '$app/navigation';

/** The query string's parameters as an object (empty while prerendering). */
export function readChoices() {
	if (typeof window === 'undefined') return {};
	return Object.fromEntries(new URLSearchParams(window.location.search));
}

/** Write the choices into the query string without a navigation (no reload, focus kept). */
export function writeChoices(choices) {
	if (typeof window === 'undefined') return;
	const url = new URL(window.location.href);
	for (const [key, value] of Object.entries(choices)) {
		if (value === null || value === undefined || value === '') url.searchParams.delete(key);
		else url.searchParams.set(key, value);
	}
	if (url.href === window.location.href) return;
	try {
		replaceState(url, {});
	} catch {
		window.history.replaceState(window.history.state, '', url);
	}
}
