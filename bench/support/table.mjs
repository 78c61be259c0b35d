/** The bench's one table, in Markdown so it can be pasted into the README as is. */
export function formatTable(figures) {
  const number = (value, unit) => {
    const digits = unit === 'x' ? 2 : Math.abs(value) >= 100 || Number.isInteger(value) ? 0 : 2;
    return value.toFixed(digits);
  };
  const cell = (f) => `${number(f.median, f.unit)}${f.unit === 'x' ? 'x' : ` ${f.unit}`}`;
  const range = (f) => `${number(f.min, f.unit)}–${number(f.max, f.unit)}`;
  const verdict = (f) => (f.met === null ? '' : f.met ? 'yes' : '**no**');
  const rows = [
    ['figure', 'median', 'min–max', 'runs', 'goal', 'met', 'detail'],
    ['---', '---:', '---:', '---:', '---', '---', '---'],
    ...figures.map((f) => [f.label, cell(f), range(f), String(f.runs), f.goal, verdict(f), f.detail]),
  ];
  return rows.map((row) => `| ${row.join(' | ')} |`).join('\n');
}
