// Nest plumbing for the suites, in plain JavaScript: decorators are applied by calling them,
// as TypeScript's legacy decorators do. The suites use the built package (dist/), as users do.
import 'reflect-metadata';
import { Inject, Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { BaseConnection, Connection, ConnectionsModule, ConnectionRegistry } from 'nestjs-connections';
import { sleep } from './stats.mjs';

export { BaseConnection, Connection, ConnectionsModule, ConnectionRegistry, Inject, Injectable, Module };

/** A module class with the given metadata. */
export function moduleOf(metadata) {
  class BenchModule {}
  Module(metadata)(BenchModule);
  return BenchModule;
}

/** Bootstraps an application context (scan, instantiate, init hooks): what `app.init()` costs. */
export function boot(moduleClass) {
  return NestFactory.createApplicationContext(moduleClass, { logger: false, abortOnError: false });
}

/** A module with ConnectionsModule.forRoot (secrets off: the bench measures the core, not file reads). */
export function connectionsModule(connections, extra = {}) {
  return moduleOf({ imports: [ConnectionsModule.forRoot({ connections, secrets: false })], ...extra });
}

/** A connection class whose connect takes `connectMs` and counts its calls. */
export function connectionClass(name, { connectMs = 0, eager = false, className = 'BenchConnection' } = {}) {
  const cls = {
    [className]: class extends BaseConnection {
      connects = 0;
      async _connect() {
        this.connects++;
        if (connectMs > 0) await sleep(connectMs);
        return { client: name };
      }
    },
  }[className];
  Connection({ name, eager })(cls);
  return cls;
}

/** `count` distinct @Injectable() classes with nothing in them: the plain-provider baseline. */
export function plainProviders(count) {
  return Array.from({ length: count }, (_, i) => {
    const cls = { [`Plain${i}`]: class {} }[`Plain${i}`];
    Injectable()(cls);
    return cls;
  });
}

/** `count` distinct @Connection() classes named c0..c{count-1}. */
export function connectionClasses(count, options = {}) {
  return Array.from({ length: count }, (_, i) => connectionClass(`c${i}`, { ...options, className: `Conn${i}` }));
}
