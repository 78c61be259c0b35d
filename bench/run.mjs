// npm run bench: builds the package, runs each suite in its own Node process (fresh heap and
// JIT, no suite disturbing the next), prints one table of ratios, each against a baseline
// measured in the same run, and writes it to bench/results/latest.json.
//   node bench/run.mjs [--no-build] [suite ...]      suites: resolve stampede bootstrap memory keyed sse e2e orm rotation cluster
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { formatTable } from './support/table.mjs';

const ROOT = new URL('../', import.meta.url).pathname;
const SUITES = {
  resolve: [],
  stampede: [],
  bootstrap: [],
  memory: ['--expose-gc'],
  keyed: ['--expose-gc'],
  sse: ['--expose-gc'],
  e2e: [],
  orm: [],
  rotation: [],
  cluster: [],
};
/** Where a suite's script is, when not bench/suites/<name>.mjs. */
const SCRIPTS = { cluster: 'bench/cluster-latency.mjs' };
const SUITE_TIMEOUT_MS = 180_000;

const args = process.argv.slice(2);
const chosen = args.filter((arg) => !arg.startsWith('--'));
for (const name of chosen) if (!(name in SUITES)) throw new Error(`unknown suite "${name}"; known: ${Object.keys(SUITES).join(', ')}`);

function runSuite(name) {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, [...SUITES[name], SCRIPTS[name] ?? `bench/suites/${name}.mjs`], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), SUITE_TIMEOUT_MS);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      const line = stdout.split('\n').find((l) => l.startsWith('BENCH-RESULT '));
      if (code === 0 && line) {
        console.error(`   ${name}: ${seconds} s`);
        return resolve({ figures: JSON.parse(line.slice('BENCH-RESULT '.length)) });
      }
      const why = signal ? `killed by ${signal}` : `exit ${code}`;
      console.error(`   ${name}: FAILED (${why}) after ${seconds} s\n${stderr.trim().split('\n').slice(-15).join('\n')}`);
      resolve({ figures: [], error: `${name}: ${why}: ${stderr.trim().split('\n').slice(-3).join(' ')}` });
    });
  });
}

const started = performance.now();
if (!args.includes('--no-build')) {
  console.error('building (npm run build)...');
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
}
const figures = [];
const errors = [];
for (const name of chosen.length ? chosen : Object.keys(SUITES)) {
  console.error(`running ${name}...`);
  const result = await runSuite(name);
  figures.push(...result.figures);
  if (result.error) errors.push(result.error);
}

const machine = {
  cores: os.availableParallelism(),
  cpu: os.cpus()[0]?.model ?? 'unknown',
  memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  node: process.version,
  platform: `${os.platform()} ${os.release()}`,
};
const durationS = Math.round((performance.now() - started) / 1000);
console.log(`\nnestjs-connections bench — Node ${machine.node}, ${machine.cores} cores (${machine.cpu}), ${durationS} s\n`);
console.log(formatTable(figures));
if (errors.length) console.log(`\nSuites that failed:\n${errors.map((e) => `- ${e}`).join('\n')}`);

mkdirSync(new URL('results/', import.meta.url), { recursive: true });
// Only a run of every suite replaces latest.json (the figures the README quotes).
const out = new URL(chosen.length ? 'results/partial.tmp.json' : 'results/latest.json', import.meta.url);
writeFileSync(out, `${JSON.stringify({ date: new Date().toISOString(), machine, durationS, figures, errors }, null, 2)}\n`);
console.log(`\nwritten to ${out.pathname.slice(ROOT.length)}`);
process.exitCode = errors.length ? 1 : 0;
