/** A header part in the tree of arrays of tables; `array` for those declared `[[...]]`. */
interface HeaderNode {
  array: boolean;
  children: Map<string, HeaderNode>;
}

/**
 * The deepest nesting of tables and arrays a TOML text would produce, found by one linear pass
 * over the text before it is parsed. smol-toml limits only inline nesting (`maxDepth`); a table
 * header or a dotted key thousands of levels deep parses into a structure that every recursive
 * walk after it (merging, masking, freezing) overflows the stack on. The pass stops at the first
 * place deeper than `limit` and says on which line it is.
 *
 * Depth counts containers below the document: `[a.b.c]` is 3, `[[a]]` is 2 (the array and its
 * element; `[a.b]` under `[[a]]` is 3), `k.l = 1` under a header adds 1, and each `[` or `{` of a
 * value adds 1. Only what decides depth is read: strings and comments are skipped, everything
 * else is left to the parser, which reports syntax errors itself (an unbalanced text only makes
 * this count end early).
 */
export function findTooDeep(text: string, limit: number): { depth: number; line: number } | null {
  const n = text.length;
  let i = 0;
  let line = 1;
  /** Depth of the table the last header opened. */
  let tableDepth = 0;
  /** Open `[` / `{` of the value being read; each holds its depth and the depth around it. */
  const stack: Array<{ open: '[' | '{'; depth: number; outer: number }> = [];
  /** Reading a key (at the start of a statement, or in an inline table) rather than a value. */
  let inKey = true;
  /** The `[[...]]` headers seen (and the paths to them), as a tree of their parts. */
  const arrayTables: HeaderNode = { array: false, children: new Map() };
  /** Dots of the key being read. */
  let dots = 0;
  /** Depth that a `[` or `{` of the value being read nests in. */
  let here = 0;

  const skipString = (): void => {
    const quote = text[i];
    const multi = text.startsWith(quote.repeat(3), i);
    i += multi ? 3 : 1;
    while (i < n) {
      const c = text[i];
      if (c === '\n') {
        line++;
        if (!multi) return; // unterminated: the parser says so
      }
      if (c === '\\' && quote === '"') {
        i += 2;
        continue;
      }
      if (multi ? text.startsWith(quote.repeat(3), i) : c === quote) {
        i += multi ? 3 : 1;
        // A multi-line string may end with up to two more quotes of its own (`""""`).
        for (let extra = 0; multi && extra < 2 && text[i] === quote; extra++) i++;
        return;
      }
      i++;
    }
  };
  const skipComment = (): void => {
    while (i < n && text[i] !== '\n') i++;
  };

  while (i < n) {
    const c = text[i];
    if (c === '"' || c === "'") {
      skipString();
      continue;
    }
    if (c === '#') {
      skipComment();
      continue;
    }
    if (c === '\n') line++;
    if (inKey) {
      if (c === '[' && stack.length === 0) {
        // A header: its dotted parts up to the closing bracket. Every array of tables on its
        // path adds a level (the array, then its element), so those paths are remembered.
        const arrayTable = text[i + 1] === '[';
        i += arrayTable ? 2 : 1;
        const parts: string[] = [];
        let start = i;
        while (i < n && text[i] !== ']' && text[i] !== '\n') {
          if (text[i] === '"' || text[i] === "'") {
            skipString();
            continue;
          }
          if (text[i] === '.') {
            parts.push(keyPart(text.slice(start, i)));
            if (parts.length > limit) return { depth: parts.length, line };
            start = i + 1;
          }
          i++;
        }
        parts.push(keyPart(text.slice(start, i)));
        if (parts.length > limit) return { depth: parts.length, line };
        // Walk the tree of arrays of tables seen: each on the way adds its element's level.
        // Only `[[...]]` headers add nodes, so a file without any costs no tree at all.
        let node: HeaderNode | undefined = arrayTables;
        let arrays = 0;
        for (let p = 0; p < parts.length && node; p++) {
          let child: HeaderNode | undefined = node.children.get(parts[p]);
          if (!child && arrayTable) node.children.set(parts[p], (child = { array: false, children: new Map() }));
          if (child?.array && p < parts.length - 1) arrays++;
          node = child;
        }
        if (arrayTable && node) {
          // A new element: what was under the previous one is not under this one.
          node.array = true;
          node.children = new Map();
        }
        tableDepth = parts.length + arrays + (arrayTable ? 1 : 0);
        if (tableDepth > limit) return { depth: tableDepth, line };
        skipComment(); // the rest of the header line
        continue;
      }
      if (c === '.') dots++;
      else if (c === '\n') dots = 0;
      else if (c === '=') {
        inKey = false;
        here = (stack.length ? stack[stack.length - 1].depth : tableDepth) + dots;
        if (here > limit) return { depth: here, line };
        dots = 0;
      } else if (c === '}' && stack.length) {
        here = stack.pop()!.outer; // `{}` or a trailing comma
        inKey = false;
      }
      i++;
      continue;
    }
    if (c === '[' || c === '{') {
      const depth = here + 1;
      if (depth > limit) return { depth, line };
      stack.push({ open: c, depth, outer: here });
      here = depth;
      if (c === '{') inKey = true;
    } else if ((c === ']' || c === '}') && stack.length) {
      here = stack.pop()!.outer;
    } else if (c === ',' && stack.length) {
      const top = stack[stack.length - 1];
      if (top.open === '{') inKey = true;
      else here = top.depth;
    } else if (c === '\n' && stack.length === 0) {
      inKey = true; // the statement ended
    }
    i++;
  }
  return null;
}

/** One dotted part of a header as a name: `"a"` and `a` are one key (a part with escapes stays as written). */
function keyPart(raw: string): string {
  const part = raw.trim();
  const quote = part[0];
  if ((quote === '"' || quote === "'") && part.length >= 2 && part.endsWith(quote) && !part.includes('\\')) return part.slice(1, -1);
  return part;
}
