// Where in the query an SQL error points. DuckDB ends a parser or binder error with its position drawn
// as text:
//
//   LINE 2:   nosuch FROM range(3)
//             ^
//
// The line number is exact; the caret's column counts characters of the line as shown, which DuckDB
// cuts around the position with "..." when the line is long. So the shown piece is found again in the
// real line, and the caret's place in it gives the exact column.

export interface ErrorPosition {
  line: number; // 1-based, within the query
  column: number; // 1-based, in characters
  offset: number; // 0-based, from the query's start
}

export function errorPosition(message: string, query: string): ErrorPosition | null {
  const m = /\nLINE (\d+): (.*)\n( *)\^/.exec(message);
  if (!m) return null;
  const line = Number(m[1]);
  const prefixLength = `LINE ${m[1]}: `.length;
  let shown = m[2];
  let caret = m[3].length - prefixLength;
  const lines = query.split('\n');
  if (line < 1 || line > lines.length || caret < 0) return null;
  const real = lines[line - 1];
  if (shown.startsWith('...')) {
    shown = shown.slice(3);
    caret -= 3;
  }
  if (shown.endsWith('...') && !real.endsWith(shown)) shown = shown.slice(0, -3);
  const at = real.indexOf(shown);
  const column = Math.min((at < 0 ? 0 : at) + Math.max(0, caret), real.length) + 1;
  let offset = 0;
  for (let i = 0; i < line - 1; i++) offset += lines[i].length + 1;
  return { line, column, offset: offset + column - 1 };
}
