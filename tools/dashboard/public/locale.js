// The browser's locale as Intl accepts it. Chromium under a C/POSIX locale
// reports "en-US@posix", which Intl rejects with a RangeError — and uPlot
// builds its number format from navigator.language as it loads, so the
// page would have no charts at all. Such a locale falls back to en-US.
/* global navigator, document */

const FALLBACK = 'en-US';

function accepted(tag) {
  try {
    new Intl.NumberFormat(tag);
    new Intl.DateTimeFormat(tag);
    return true;
  } catch {
    return false;
  }
}

/** The locale the page formats with: the browser's, or en-US when Intl rejects it. */
export const pageLocale = accepted(navigator.language) ? navigator.language : FALLBACK;

/**
 * Makes navigator.language one Intl accepts, for the libraries that read it
 * (uPlot), before they load.
 */
export function useAcceptedLocale() {
  if (navigator.language === pageLocale) return;
  const languages = navigator.languages.filter(accepted);
  Object.defineProperty(navigator, 'language', { value: pageLocale, configurable: true });
  Object.defineProperty(navigator, 'languages', {
    value: Object.freeze(languages.length > 0 ? languages : [pageLocale]),
    configurable: true,
  });
}

/** Loads a classic script (a library that defines a global) and waits for it. */
export function loadScript(src) {
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = src;
    script.onload = () => resolve();
    script.onerror = () => reject(new Error(`could not load ${src}`));
    document.head.append(script);
  });
}
