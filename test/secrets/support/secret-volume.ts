import { mkdirSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

let stamp = 0;

/**
 * A folder laid out and updated the way kubelet's atomic writer updates a mounted Secret:
 * the files live in a timestamped folder `..<time>`, `..data` is a symlink to it, and each
 * visible file is a symlink through `..data`. An update writes a new timestamped folder, points
 * a `..data_tmp` symlink at it, renames that over `..data` (one atomic step), then deletes the
 * old folder. The visible file itself never changes: only what it resolves to.
 */
export class SecretVolume {
  constructor(readonly dir: string) {}

  static create(dir: string, files: Record<string, string>): SecretVolume {
    mkdirSync(dir, { recursive: true });
    const volume = new SecretVolume(dir);
    const first = volume.#writeGeneration(files);
    symlinkSync(first, join(dir, '..data'));
    for (const name of Object.keys(files)) symlinkSync(join('..data', name), join(dir, name));
    return volume;
  }

  /** The visible path of a file. */
  path(name: string): string {
    return join(this.dir, name);
  }

  update(files: Record<string, string>): void {
    const old = readlinkSync(join(this.dir, '..data'));
    const next = this.#writeGeneration(files);
    symlinkSync(next, join(this.dir, '..data_tmp'));
    renameSync(join(this.dir, '..data_tmp'), join(this.dir, '..data'));
    for (const name of Object.keys(files)) {
      if (!existsSync(join(this.dir, name))) symlinkSync(join('..data', name), join(this.dir, name));
    }
    rmSync(join(this.dir, old), { recursive: true, force: true });
  }

  #writeGeneration(files: Record<string, string>): string {
    const name = `..2026_12_01_21_00_00.${String(++stamp).padStart(9, '0')}`;
    mkdirSync(join(this.dir, name));
    for (const [file, text] of Object.entries(files)) writeFileSync(join(this.dir, name, file), text);
    return name;
  }
}
