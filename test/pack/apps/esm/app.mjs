// An ESM consumer on Nest 12: loads the package with `import`.
import 'reflect-metadata';
import * as common from '@nestjs/common';
import * as core from '@nestjs/core';
import * as lib from 'nestjs-connections';
import scenario from './scenario.cjs';

await scenario.runScenario({ label: 'esm', common, core, lib });
