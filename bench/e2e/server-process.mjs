import { spawn } from 'node:child_process';

const SERVER = new URL('./server.mjs', import.meta.url).pathname;

/** Starts `server.mjs <variant>` (or another server script) and resolves once it listens: `{ url, stop() }`. */
export function startServer(variant, script = SERVER) {
  const child = spawn(process.execPath, [script, variant], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`server ${variant} did not start within 20 s`)), 20_000);
    function fail(err) {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${err.message}\n${stderr}`));
    }
    const onEarlyExit = (code) => fail(new Error(`server ${variant} exited with ${code}`));
    child.once('exit', onEarlyExit);
    child.stdout.on('data', (chunk) => {
      const match = /LISTENING (\d+)/.exec(String(chunk));
      if (!match) return;
      clearTimeout(timer);
      child.off('exit', onEarlyExit);
      resolve({
        url: `http://127.0.0.1:${match[1]}`,
        stop: async () => {
          child.kill('SIGTERM');
          const timeout = setTimeout(() => child.kill('SIGKILL'), 5_000);
          await exited;
          clearTimeout(timeout);
        },
      });
    });
  });
}
