'use strict';
// A CommonJS consumer on Nest 11: loads the pure-ESM package with `require()` (Node >= 20.19).
require('reflect-metadata');
const common = require('@nestjs/common');
const core = require('@nestjs/core');
const lib = require('nestjs-connections');
const { runScenario } = require('./scenario.cjs');

runScenario({ label: 'cjs', common, core, lib }).catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
