// Bootstrap: creating and initialising an application context with 1,000 connections,
// against the same app with 1,000 plain providers. Connections declared as 1,000 decorated
// classes and as 1,000 `{ name, type }` declarations of one class; and 1,000 eager ones
// with a 5 ms connect each (all connect concurrently during bootstrap).
import { boot, connectionClass, connectionClasses, connectionsModule, moduleOf, plainProviders } from '../support/nest.mjs';
import { figure, report, summarize, timeMs } from '../support/stats.mjs';

const COUNT = 1_000;
const RUNS = 7;

const plain = plainProviders(COUNT);
// What Nest itself charges for a name token per provider (as `getConnectionToken(name)` is).
const aliased = [...plain, ...plain.map((cls, i) => ({ provide: `alias:${i}`, useExisting: cls }))];
const lazyClasses = connectionClasses(COUNT);
const DeclaredType = connectionClass('unused', { className: 'DeclaredConnection' });
const declarations = Array.from({ length: COUNT }, (_, i) => ({ name: `d${i}`, type: DeclaredType }));
const eagerClasses = connectionClasses(COUNT, { connectMs: 5, eager: true });

// A fresh module class per bootstrap, so no run reuses another's compiled module.
const apps = {
  plain: () => moduleOf({ providers: plain }),
  aliased: () => moduleOf({ providers: aliased }),
  classes: () => connectionsModule(lazyClasses),
  declared: () => connectionsModule(declarations),
  eager: () => connectionsModule(eagerClasses),
};

async function bootstrapMs(name) {
  let app;
  const ms = await timeMs(async () => {
    app = await boot(apps[name]());
  });
  if (name === 'eager' && app.get(eagerClasses[0]).state !== 'connected') throw new Error('eager did not connect');
  if (name === 'classes' && app.get(lazyClasses[0]).state !== 'idle') throw new Error('lazy connection connected');
  await app.close();
  return ms;
}

for (const name of Object.keys(apps)) await bootstrapMs(name); // warm-up
const ms = { plain: [], aliased: [], classes: [], declared: [], eager: [] };
const ratios = { classes: [], declared: [], eager: [], classesVsAliased: [] };
for (let r = 0; r < RUNS; r++) {
  const run = {};
  for (const name of Object.keys(apps)) run[name] = await bootstrapMs(name);
  for (const name of Object.keys(apps)) ms[name].push(run[name]);
  for (const name of ['classes', 'declared', 'eager']) ratios[name].push(run[name] / run.plain);
  ratios.classesVsAliased.push(run.classes / run.aliased);
}

const msNote = (name) => `${summarize(ms[name]).median.toFixed(1)} ms`;
report([
  figure({
    id: 'bootstrap-classes',
    label: 'bootstrap: 1,000 lazy connection classes vs 1,000 plain providers',
    values: ratios.classes,
    goal: 1.25,
    detail: `${msNote('classes')} vs ${msNote('plain')}`,
  }),
  figure({
    id: 'bootstrap-classes-vs-aliased',
    label: 'bootstrap: 1,000 lazy connection classes vs 1,000 plain providers + 1,000 name aliases',
    values: ratios.classesVsAliased,
    detail: `${msNote('classes')} vs ${msNote('aliased')}`,
  }),
  figure({
    id: 'bootstrap-declared',
    label: 'bootstrap: 1,000 declared { name, type } vs 1,000 plain providers',
    values: ratios.declared,
    goal: 1.25,
    detail: `${msNote('declared')} vs ${msNote('plain')}`,
  }),
  figure({
    id: 'bootstrap-eager',
    label: 'bootstrap: 1,000 eager classes (5 ms connect each) vs 1,000 plain providers',
    values: ratios.eager,
    detail: `${msNote('eager')} vs ${msNote('plain')}`,
  }),
]);
