// An ESM consumer on Nest 12 with knex, pg and ioredis (their latest majors) installed: the
// integration entry points load, and a 'sql' declaration made with nothing but the root works.
import 'reflect-metadata';
import * as common from '@nestjs/common';
import * as core from '@nestjs/core';
import * as lib from 'nestjs-connections';
import { SqlConnection } from 'nestjs-connections/sql';
import { RedisConnection } from 'nestjs-connections/redis';
import scenario from './scenario.cjs';

if (typeof SqlConnection !== 'function' || typeof RedisConnection !== 'function') throw new Error('entry points did not load');
await scenario.runScenario({ label: 'esm-sql', common, core, lib });
