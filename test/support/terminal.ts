/** What a terminal shows of written text: the rows, without cursor and erase sequences. */
const ESCAPE = new RegExp(`${String.fromCharCode(27)}\\[\\d*[A-Za-z]`, 'g');

export const visibleRows = (text: string): string[] =>
  text
    .replace(ESCAPE, '')
    .split('\n')
    .filter((l) => l !== '');
