// Memory: retained heap per idle registered connection (node --expose-gc). Measured as the
// heap of an app with COUNT connections minus the heap of the same app without them, after
// full collections, divided by COUNT. Two shapes:
// - declared: COUNT `{ name, type }` declarations of one class (no class objects to pay for);
// - classes: COUNT decorated classes, minus COUNT plain @Injectable() classes, so the cost of
//   the class objects themselves cancels out and what is left is what the package adds.
import { boot, connectionClass, connectionClasses, connectionsModule, plainProviders } from '../support/nest.mjs';
import { figure, report } from '../support/stats.mjs';

if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc');
const COUNT = 2_000;
const RUNS = 5;

function settledHeap() {
  for (let i = 0; i < 4; i++) globalThis.gc();
  return process.memoryUsage().heapUsed;
}

/** Heap retained while the app built by `makeModule` is up. */
async function heapWith(makeModule) {
  const moduleClass = makeModule();
  const before = settledHeap();
  const app = await boot(moduleClass);
  const after = settledHeap();
  await app.close();
  return after - before;
}

const DeclaredType = connectionClass('unused', { className: 'DeclaredConnection' });
const declarations = Array.from({ length: COUNT }, (_, i) => ({ name: `d${i}`, type: DeclaredType }));
const classes = connectionClasses(COUNT);
const plain = plainProviders(COUNT);

const shapes = {
  empty: () => connectionsModule([]),
  declared: () => connectionsModule(declarations),
  classes: () => connectionsModule(classes),
  plain: () => connectionsModule([], { providers: plain }),
};
for (const make of Object.values(shapes)) await heapWith(make); // warm-up: lazy module state

const perDeclared = [];
const perClass = [];
for (let r = 0; r < RUNS; r++) {
  const heap = {};
  for (const [name, make] of Object.entries(shapes)) heap[name] = await heapWith(make);
  perDeclared.push((heap.declared - heap.empty) / COUNT);
  perClass.push((heap.classes - heap.plain) / COUNT);
}

const kb = (bytes) => bytes / 1024;
report([
  figure({
    id: 'memory-declared',
    label: `memory: heap per idle declared connection (${COUNT.toLocaleString('en')} { name, type })`,
    values: perDeclared.map(kb),
    unit: 'KB',
    goal: 2,
  }),
  figure({
    id: 'memory-class',
    label: `memory: heap per idle connection class, over a plain provider (${COUNT.toLocaleString('en')})`,
    values: perClass.map(kb),
    unit: 'KB',
    goal: 2,
  }),
]);
